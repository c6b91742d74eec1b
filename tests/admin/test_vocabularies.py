"""Admins maintain the vocabulary mappings partners rely on: forms with CSRF, German
first, every change audited, a refused form keeps the choice; nobody else gets in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.vorhaben.models import FieldOfAction, Stage
from tests import factories


def _admin(client: TestClient, db: Session) -> factories.Account:
    admin = factories.account(db, "Ada Admin", role=factories.Role.ADMIN)
    factories.login(client, db, admin)
    return admin


def test_admin_maps_a_field_of_action(client: TestClient, db: Session) -> None:
    admin = _admin(client, db)
    field = db.scalars(select(FieldOfAction).where(FieldOfAction.slug == "abfall")).one()
    overview = client.get("/admin/vokabulare")
    assert overview.status_code == 200 and "<code>abfall</code>" in overview.text
    path = f"/admin/vokabulare/handlungsfelder/{field.id}"
    page = client.get(path).text
    assert 'value="Waste"' in page and 'value="umwelt" checked' in page
    token = factories.csrf_token(client, path)
    assert client.post(path, data={"label_en": "Refuse"}).status_code == 403  # no CSRF token

    refused = client.post(
        path,
        data={
            "csrf_token": token,
            "label_en": "Refuse <collection>",
            "ozg_themenfelder": ["umwelt", "mars"],
            "publiccode_categories": ["fleet-management"],
        },
    )
    assert refused.status_code == 422
    assert 'href="#field-ozg_themenfelder"' in refused.text
    assert 'value="Refuse &lt;collection&gt;"' in refused.text
    assert 'value="fleet-management" checked' in refused.text

    saved = client.post(
        path,
        data={
            "csrf_token": token,
            "label_en": "Waste management",
            "ozg_themenfelder": ["umwelt", "bauen-wohnen"],
            "publiccode_categories": ["fleet-management"],
        },
    )
    assert saved.status_code == 303
    terms = {
        term["id"]: term
        for term in client.get("/api/v1/vocabularies/fields_of_action").json()["terms"]
    }
    assert terms["abfall"]["label"] == {"de": "Abfall", "en": "Waste management"}
    assert terms["abfall"]["mappings"] == {
        "ozg_themenfelder": ["umwelt", "bauen-wohnen"],
        "publiccode_categories": ["fleet-management"],
    }
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.actor_id == admin.id))
    assert event.action == "field_of_action_mapping_changed"
    assert event.details["before"]["label_en"] == "Waste"
    assert event.details["after"]["ozg_themenfelder"] == ["umwelt", "bauen-wohnen"]


def test_admin_maps_the_stages(client: TestClient, db: Session) -> None:
    admin = _admin(client, db)
    token = factories.csrf_token(client, "/admin/vokabulare")
    wanted = {f"status_{stage.value}": "concept" for stage in Stage}
    wanted |= {f"phase_{stage.value}": "" for stage in Stage}
    wanted |= {"status_betrieb": "stable", "phase_betrieb": "implementation"}
    wanted |= {"phase_idee": "idea"}  # as it was: no change, no audit event
    refused = client.post(
        "/admin/vokabulare/phasen",
        data={"csrf_token": token, **wanted, "status_pilot": "alpha"},
    )
    assert refused.status_code == 422 and 'href="#field-status_pilot"' in refused.text
    saved = client.post("/admin/vokabulare/phasen", data={"csrf_token": token, **wanted})
    assert saved.status_code == 303
    terms = {term["id"]: term for term in client.get("/api/v1/vocabularies/stages").json()["terms"]}
    assert terms["betrieb"]["mappings"] == {
        "development_status": ["stable"],
        "phases": ["implementation"],
    }
    assert terms["pilot"]["mappings"] == {"development_status": ["concept"], "phases": []}
    changed = set(
        db.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.actor_id == admin.id, AuditEvent.action == "stage_mapping_changed"
            )
        )
    )
    assert changed == {stage.value for stage in Stage} - {"idee"}


def test_only_admins_maintain_vocabularies(client: TestClient, db: Session) -> None:
    field = db.scalars(select(FieldOfAction)).first()
    assert field is not None
    assert client.get("/admin/vokabulare").status_code in {302, 303}
    factories.login(client, db, factories.account(db, role=factories.Role.MODERATOR))
    assert client.get("/admin/vokabulare").status_code == 403
    assert client.get(f"/admin/vokabulare/handlungsfelder/{field.id}").status_code == 403
