"""A Vorhaben restricted to its municipality is invisible to everyone else, everywhere:
list, detail, versions, search, similar suggestions, comments, signals, follows,
notifications, mails, dashboard, municipality and member pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from app.vorhaben import service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import Vorhaben
from tests import factories

SECRET = "Geheimplan Quartiersgarage Nordstadt"


@dataclass
class Scene:
    owner: factories.Account
    colleague: factories.Account
    outsider: factories.Account
    secret: Vorhaben


@pytest.fixture
def setting(db: Session, settings: Settings) -> Scene:
    owner_town = factories.municipality(db, "Eigenstadt")
    other_town = factories.municipality(db, "Fremdstadt")
    owner = factories.account(db, "Olga Owner", municipality=owner_town)
    colleague = factories.account(db, "Conny Colleague", municipality=owner_town)
    outsider = factories.account(db, "Otto Outsider", municipality=other_town)
    secret = factories.vorhaben(
        db,
        owner,
        SECRET,
        summary="Quartiersgarage mit Sensorik",
        visibility="municipality",
        tags="garage",
    )
    factories.comment(db, colleague, secret, "Quartiersgarage: Kosten noch offen")
    return Scene(owner, colleague, outsider, secret)


def test_the_owning_municipality_sees_it(client: TestClient, db: Session, setting: Scene) -> None:
    factories.login(client, db, setting.colleague)
    assert SECRET in client.get("/vorhaben").text
    assert client.get(f"/vorhaben/{setting.secret.id}").status_code == 200
    assert "Geheimplan" in client.get("/suche?q=quartiersgarage").text


def test_another_municipality_sees_it_nowhere(
    client: TestClient, db: Session, setting: Scene
) -> None:
    secret_id = setting.secret.id
    owner = setting.owner
    factories.login(client, db, setting.outsider)
    token = factories.csrf_token(client, "/")
    pages = [
        "/",
        "/vorhaben",
        "/vorhaben?sort=newest",
        "/suche?q=quartiersgarage",
        "/suche?q=garage",
        "/vorhaben/aehnlich?title=Quartiersgarage+Nordstadt",
        f"/kommunen/{db.get(factories.Municipality, owner.municipality_id).ags}",  # type: ignore[union-attr]
        f"/mitglieder/{owner.id}",
        "/benachrichtigungen",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Quartiersgarage" not in response.text, page
    for path in (
        f"/vorhaben/{secret_id}",
        f"/vorhaben/{secret_id}/versionen",
        f"/vorhaben/{secret_id}/versionen/1",
        f"/vorhaben/{secret_id}/bearbeiten",
        f"/vorhaben/{secret_id}/loeschen",
    ):
        assert client.get(path).status_code == 404, path
    for path, data in (
        (f"/vorhaben/{secret_id}/comments", {"body": "Hallo"}),
        (f"/vorhaben/{secret_id}/signale", {"kind": "interested"}),
        (f"/vorhaben/{secret_id}/folgen", {"action": "follow"}),
        (f"/vorhaben/{secret_id}/bearbeiten", {"title": "x", "stage": "idee"}),
        (f"/vorhaben/{secret_id}/loeschen", {}),
    ):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    comment_id = db.scalars(select(factories.Comment.id)).first()
    for path in (f"/kommentare/{comment_id}/bearbeiten", f"/kommentare/{comment_id}/verlauf"):
        assert client.get(path).status_code == 404, path


def test_notifications_and_mails_never_reach_another_municipality(
    db: Session, settings: Settings, setting: Scene
) -> None:
    secret = setting.secret
    outsider = setting.outsider
    # Even a follow row that predates a visibility change does not leak anything.
    db.add(factories.Follow(account_id=outsider.id, vorhaben_id=secret.id))
    db.flush()
    factories.comment(db, setting.owner, secret, "Neuer Stand zur Quartiersgarage")
    assert (
        db.scalars(select(Notification).where(Notification.account_id == outsider.id)).all() == []
    )
    mails = db.scalars(select(OutboxMessage.payload)).all()
    assert all(mail["to"] != outsider.email for mail in mails)
    assert any(mail["to"] == setting.colleague.email for mail in mails)


def test_making_a_vorhaben_private_hides_it_from_earlier_followers(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    outsider = factories.account(db, "Otto")
    public = factories.vorhaben(db, owner, "Offenes Vorhaben Stadtpark-WLAN")
    factories.comment(db, outsider, public, "Interessant!")  # the outsider now follows
    form = service.form_from(service.get(db, owner, public.id))
    form.visibility = "municipality"
    service.update(db, settings, owner, public.id, form)
    factories.comment(db, owner, public, "Jetzt nur noch intern")
    factories.login(client, db, outsider)
    assert "Stadtpark-WLAN" not in client.get("/benachrichtigungen").text
    assert client.get(f"/vorhaben/{public.id}").status_code == 404
    assert "Stadtpark-WLAN" not in client.get("/").text


def test_the_visibility_field_only_takes_the_two_values(db: Session, settings: Settings) -> None:
    owner = factories.account(db)
    with pytest.raises(factories.ValidationFailed) as caught:
        service.create(db, settings, owner, VorhabenForm(title="X", visibility="public"))
    assert "visibility" in caught.value.errors
