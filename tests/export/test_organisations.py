"""The export and organisations: a feed item names its municipality by AGS, Land and
registry level (CONTRACT.md), which an organisation does not have. Its Vorhaben therefore
stay in the trust space (the owner is told why), and the feed stays valid beside them."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import InvalidTransition, ValidationFailed
from app.export import service
from app.export.models import Publication, PublicationState
from tests import factories
from tests.export.contract import atom_entries, check_entry, validate
from tests.publishing import Scene, form_of, make_scene, publish

pytestmark = pytest.mark.commits


def _kgst_scene(db: Session) -> Scene:
    kgst = factories.organisation(db, "KGSt")
    owner = factories.account(db, "Olaf Org", municipality=kgst)
    moderator = factories.account(db, "Mona Mod", role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, owner, "Leitfaden Datenstrategie", stage="pilot")
    return Scene(owner, moderator, vorhaben)


def test_a_vorhaben_of_an_organisation_is_not_published_and_the_feed_stays_valid(
    client: TestClient, db: Session, settings: Settings
) -> None:
    town = make_scene(db)
    publish(db, settings, town)
    org = _kgst_scene(db)
    form = form_of(db, org)
    for step in (service.save, service.submit):
        with pytest.raises(ValidationFailed) as refused:
            step(db, settings, org.owner, org.vorhaben.id, form)
        assert "Gemeindeschlüssel" in refused.value.errors["visibility"]
    assert (
        db.scalar(
            select(func.count())
            .select_from(Publication)
            .where(Publication.vorhaben_id == org.vorhaben.id)
        )
        == 0
    )

    page = client.get("/api/v1/projects")
    assert page.status_code == 200
    body = page.json()
    validate("feed-page", body)
    for item in body["items"]:
        check_entry(item, settings.base_url.rstrip("/"))
    assert [item["title"] for item in body["items"]] == ["Digitaler Bauantrag"]
    assert body["items"][0]["municipality"]["ags"].isdigit()
    atom = client.get("/feeds/projects.atom")
    assert atom.status_code == 200
    assert [entry["title"] for entry in atom_entries(atom.content)] == ["Digitaler Bauantrag"]


def test_release_refuses_an_organisations_publication(db: Session, settings: Settings) -> None:
    """Even a publication that got in some other way never reaches the serializer."""
    org = _kgst_scene(db)
    publication = Publication(
        id=str(uuid.uuid4()),
        vorhaben_id=org.vorhaben.id,
        municipality_id=org.vorhaben.municipality_id,
        title="Leitfaden",
        stage="pilot",
        state=PublicationState.SUBMITTED,
    )
    db.add(publication)
    db.flush()
    with pytest.raises(InvalidTransition, match="Organisationen"):
        service.release(db, settings, publication, org.moderator, "")
    assert publication.live is False


def test_the_publication_page_explains_instead_of_offering_the_form(
    client: TestClient, db: Session
) -> None:
    org = _kgst_scene(db)
    factories.login(client, db, org.owner)
    url = f"/vorhaben/{org.vorhaben.id}/publication"
    page = client.get(url)
    assert page.status_code == 200
    assert "Vorhaben von Organisationen" in page.text
    assert f'action="{url}"' not in page.text
    token = factories.csrf_token(client, url)
    posted = client.post(
        url, data={"csrf_token": token, "title": "Leitfaden", "stage": "pilot", "action": "save"}
    )
    assert posted.status_code == 422
    assert "Vorhaben von Organisationen" in posted.text
