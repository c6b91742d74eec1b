"""The moderators' organisation pages: only moderators create and edit, a failed form keeps
what was typed, every change is in the audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.municipalities.models import Level, Municipality
from tests import factories

pytestmark = pytest.mark.commits


def _organisations(db: Session) -> list[Municipality]:
    return list(db.scalars(select(Municipality).where(Municipality.level == Level.ORGANISATION)))


def test_a_moderator_creates_and_edits_an_organisation(client: TestClient, db: Session) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    page = client.get("/moderation/organisationen")
    assert page.status_code == 200
    assert 'href="/moderation/organisationen" aria-current="page"' in page.text
    assert '<option value="AT">Österreich</option>' in page.text
    assert 'href="/moderation/organisationen"' in client.get("/moderation").text
    token = factories.csrf_token(client, "/moderation/organisationen")
    created = client.post(
        "/moderation/organisationen",
        data={"csrf_token": token, "name": "KGSt", "kind": "901", "country": "DE"},
    )
    assert created.status_code == 303
    [kgst] = _organisations(db)
    assert created.headers["location"] == f"/moderation/organisationen/{kgst.id}"
    edit = client.get(created.headers["location"])
    assert edit.status_code == 200 and "KGSt (Verband)" in edit.text
    saved = client.post(
        f"/moderation/organisationen/{kgst.id}",
        data={
            "csrf_token": token,
            "name": "KGSt – Kommunale Gemeinschaftsstelle",
            "kind": "901",
            "country": "DE",
            "active": "1",
        },
    )
    assert saved.status_code == 303
    db.refresh(kgst)
    assert kgst.name == "KGSt – Kommunale Gemeinschaftsstelle" and kgst.active
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == moderator.id)).all()
    assert {"organisation_created", "organisation_changed"} <= set(actions)
    log = client.get("/moderation/audit").text
    assert "Organisation angelegt" in log and "Organisation geändert" in log
    listing = client.get("/moderation/organisationen").text
    assert "KGSt – Kommunale Gemeinschaftsstelle" in listing and kgst.ags in listing


def test_a_failed_form_keeps_what_was_typed(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    token = factories.csrf_token(client, "/moderation/organisationen")
    refused = client.post(
        "/moderation/organisationen",
        data={"csrf_token": token, "name": "Stadt <Graz>", "kind": "903", "country": "DE"},
    )
    assert refused.status_code == 422
    assert "Stadt &lt;Graz&gt;" in refused.text
    assert '<option value="903" selected>' in refused.text
    assert 'href="#field-country"' in refused.text
    assert _organisations(db) == []
    entry = factories.organisation(db, "Landkreistag")
    bad = client.post(
        f"/moderation/organisationen/{entry.id}",
        data={"csrf_token": token, "name": "", "kind": "x" * 5000, "country": "ZZ" * 900},
    )
    assert bad.status_code == 422
    control = client.post(
        f"/moderation/organisationen/{entry.id}",
        data={"csrf_token": token, "name": "A\x00", "kind": "901", "country": "\x00"},
    )
    assert control.status_code in {400, 422}
    db.refresh(entry)
    assert entry.name == "Landkreistag"
    assert client.get("/moderation/organisationen/999999").status_code == 404
    # Beyond the database's integer (PostgreSQL's is 32 bits): not found, never a 500.
    assert client.get("/moderation/organisationen/99999999999").status_code == 404
    far = client.post(
        "/moderation/organisationen/99999999999",
        data={"csrf_token": token, "name": "X", "kind": "901", "country": "DE"},
    )
    assert far.status_code == 404
    # A registry entry is no organisation to edit here.
    town = factories.municipality(db, "Kiel")
    assert client.get(f"/moderation/organisationen/{town.id}").status_code == 404


def test_members_cannot_create_or_edit(client: TestClient, db: Session) -> None:
    entry = factories.organisation(db, "Städtetag")
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/")
    assert client.get("/moderation/organisationen").status_code == 403
    assert client.get(f"/moderation/organisationen/{entry.id}").status_code == 403
    form = {"csrf_token": token, "name": "Mein Verband", "kind": "901", "country": "DE"}
    assert client.post("/moderation/organisationen", data=form).status_code == 403
    assert client.post(f"/moderation/organisationen/{entry.id}", data=form).status_code == 403
    assert [entry.name for entry in _organisations(db)] == ["Städtetag"]


@pytest.mark.parametrize("name", ["Zweckverband Straßenbau " + "x" * 176, "ß" * 150, "\ufdfa" * 20])
def test_a_name_that_folds_longer_is_saved(client: TestClient, db: Session, name: str) -> None:
    # Folding makes "ß" two letters and U+FDFA eighteen: PostgreSQL refused the folded name
    # beyond its column (a 500); the name itself is within its limit.
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    token = factories.csrf_token(client, "/moderation/organisationen")
    created = client.post(
        "/moderation/organisationen",
        data={"csrf_token": token, "name": name, "kind": "901", "country": "DE"},
    )
    assert created.status_code == 303
    [entry] = _organisations(db)
    assert entry.name == name and len(entry.name_folded) == 200


@pytest.mark.parametrize("char", ["\x85", "\x1c", "\x1f", "\x0b", "\x0c"])
def test_a_control_character_in_the_name_is_refused(
    client: TestClient, db: Session, char: str
) -> None:
    # These are whitespace to str.split(): cleaned first, they became a space and were saved.
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    token = factories.csrf_token(client, "/moderation/organisationen")
    refused = client.post(
        "/moderation/organisationen",
        data={"csrf_token": token, "name": f"Zweck{char}verband", "kind": "901", "country": "DE"},
    )
    assert refused.status_code == 422
    assert "Steuerzeichen" in refused.text or "kein Text" in refused.text
    assert _organisations(db) == []
