"""Admins maintain the fields-of-action taxonomy; every change is audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.vorhaben.models import FieldOfAction
from tests import factories

pytestmark = pytest.mark.commits


def test_admin_adds_renames_and_switches_off(client: TestClient, db: Session) -> None:
    admin = factories.account(db, role=factories.Role.ADMIN)
    factories.login(client, db, admin)
    token = factories.csrf_token(client, "/admin/handlungsfelder")
    assert (
        client.post("/admin/handlungsfelder", data={"csrf_token": token, "label": ""}).status_code
        == 422
    )
    assert (
        client.post(
            "/admin/handlungsfelder",
            data={"csrf_token": token, "label": "Digitale Daseinsvorsorge"},
        ).status_code
        == 303
    )
    entry = db.scalars(
        select(FieldOfAction).where(FieldOfAction.slug == "digitale-daseinsvorsorge")
    ).one()
    assert (
        client.post(
            f"/admin/handlungsfelder/{entry.id}",
            data={"csrf_token": token, "label": "Daseinsvorsorge", "position": "5"},
        ).status_code
        == 303
    )
    db.refresh(entry)
    assert entry.label == "Daseinsvorsorge" and not entry.active and entry.position == 5
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id))
    assert list(actions) == ["field_of_action_added", "field_of_action_changed"]
    assert "gespeichert" in client.get("/admin/handlungsfelder").text  # the flash
    # Switched-off fields are no longer offered in the form.
    assert "Daseinsvorsorge" not in client.get("/vorhaben/new").text


def test_members_and_moderators_are_kept_out(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    assert client.get("/admin/handlungsfelder").status_code == 403


@pytest.mark.parametrize("char", ["\x85", "\x1c", "\x1f", "\x0b", "\x0c"])
def test_a_control_character_in_a_label_is_refused(
    client: TestClient, db: Session, char: str
) -> None:
    # These are whitespace to str.split(): cleaned first, "Smart\x85City" was saved as
    # "Smart City".
    factories.login(client, db, factories.account(db, role=factories.Role.ADMIN))
    token = factories.csrf_token(client, "/admin/handlungsfelder")
    refused = client.post(
        "/admin/handlungsfelder", data={"csrf_token": token, "label": f"Smart{char}City"}
    )
    assert refused.status_code == 422
    assert "Steuerzeichen" in refused.text
    assert not db.scalars(select(FieldOfAction).where(FieldOfAction.label == "Smart City")).all()
