"""The publication page (contract field names and buttons), the moderators' queue and the
admin pages for partners, keys and webhooks; the `allmende partners` commands."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import feed
from app.export.models import Publication, PublicationState
from tests import factories
from tests.publishing import Scene

pytestmark = pytest.mark.commits


def _fields(html: str) -> set[str]:
    return set(re.findall(r'name="([a-z_]+)"', html))


def test_publication_page_starts_from_the_vorhaben(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.owner)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}/publication")
    assert page.status_code == 200
    assert {
        "title",
        "summary",
        "description",
        "stage",
        "fields_of_action",
        "contact_consent",
        "action",
    } <= _fields(page.text)
    assert 'value="Digitaler Bauantrag"' in page.text
    assert 'name="contact_consent" value="1">' in page.text  # not ticked by default
    for action in ("save", "submit"):
        assert f'name="action" value="{action}"' in page.text


def test_save_submit_release_withdraw_through_the_pages(
    client: TestClient, app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    form = {
        "csrf_token": token,
        "title": "Öffentlicher Titel",
        "summary": "Kurz",
        "description": "Öffentlich",
        "stage": "pilot",
        "fields_of_action": [],
        "uses_ai": "none",
    }
    assert client.post(url, data={**form, "action": "save"}).status_code == 303
    publication = db.scalars(select(Publication)).one()
    assert publication.state is PublicationState.DRAFT
    preview = client.get(url).text
    assert "Vorschau: genau das erhalten Partner" in preview and "&#34;version&#34;: 1" in preview
    bad = client.post(url, data={**form, "title": "", "action": "submit"})
    assert bad.status_code == 422 and 'value=""' in bad.text
    assert client.post(url, data={**form, "action": "submit"}).status_code == 303
    db.refresh(publication)
    assert publication.state is PublicationState.SUBMITTED

    with TestClient(app, follow_redirects=False) as moderator:
        factories.login(moderator, db, scene.moderator)
        queue = moderator.get("/moderation/publications").text
        assert "Öffentlicher Titel" in queue
        review = moderator.get(f"/moderation/publications/{publication.id}").text
        assert "Datensatz im Feed (JSON)" in review
        mod_token = factories.csrf_token(moderator, "/moderation")
        no_reason = moderator.post(
            f"/moderation/publications/{publication.id}",
            data={"csrf_token": mod_token, "decision": "decline"},
        )
        assert no_reason.status_code == 422
        released = moderator.post(
            f"/moderation/publications/{publication.id}",
            data={"csrf_token": mod_token, "decision": "release"},
        )
        assert released.status_code == 303
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["title"] == "Öffentlicher Titel"
    assert client.get(f"/p/{publication.id}").status_code == 200
    assert client.post(url, data={**form, "action": "withdraw"}).status_code == 303
    assert client.get(f"/p/{publication.id}").status_code == 410


def test_members_of_other_municipalities_cannot_publish(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, factories.account(db))
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "title": "x", "action": "submit"})
    assert response.status_code == 403


def test_admin_creates_partner_key_and_webhook_shown_once(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db, role=factories.Role.ADMIN))
    token = factories.csrf_token(client, "/admin/partners")
    created = client.post(
        "/admin/partners",
        data={"csrf_token": token, "name": "Civic Hub", "contact_email": "ops@civic.example"},
    )
    assert created.status_code == 200
    key = re.search(r'value="(alm_[^"]+)"', created.text)
    assert key and len(key.group(1)) >= 47
    partner_url = re.search(r'action="(/admin/partners/\d+)/keys"', created.text)
    assert partner_url
    assert key.group(1) not in client.get(partner_url.group(1)).text  # never again
    refused = client.post(
        f"{partner_url.group(1)}/webhooks",
        data={"csrf_token": token, "url": "http://10.1.2.3/hook"},
    )
    assert refused.status_code == 422 and "interne Adresse" in refused.text
    duplicate = client.post("/admin/partners", data={"csrf_token": token, "name": "Civic Hub"})
    assert duplicate.status_code == 422
