"""The vocabularies partners map with: public, valid against docs/schema/, German and
English labels, the official OZG Themenfelder and publiccode.yml lists, identifiers that
survive renaming, and feed items that carry both our identifiers and the mapped ones."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import code_lists
from app.vorhaben.models import FieldOfAction
from tests import factories
from tests.export.contract import check_item, validate
from tests.publishing import Scene, publish


def _terms(vocabulary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {term["id"]: term for term in vocabulary["terms"]}


def test_anyone_reads_the_vocabularies_as_published(client: TestClient) -> None:
    response = client.get("/api/v1/vocabularies")
    assert response.status_code == 200 and response.headers["etag"]
    body = response.json()
    validate("vocabularies", body)
    by_name = {entry["name"]: entry for entry in body["vocabularies"]}
    assert set(by_name) >= {"fields_of_action", "stages", "ozg_themenfelder"}

    fields = _terms(by_name["fields_of_action"])
    assert fields["bildung"]["label"] == {"de": "Bildung", "en": "Education"}
    assert fields["bildung"]["mappings"]["ozg_themenfelder"] == ["bildung"]
    assert "learning-management-system" in fields["bildung"]["mappings"]["publiccode_categories"]
    stages = _terms(by_name["stages"])
    assert list(stages) == [
        "idee", "konzept", "pilot", "umsetzung", "betrieb", "abgeschlossen", "eingestellt",
    ]  # fmt: skip
    assert stages["pilot"]["label"] == {"de": "Pilot", "en": "Pilot"}
    assert stages["betrieb"]["label"] == {"de": "Betrieb", "en": "Operation"}
    assert stages["pilot"]["mappings"] == {
        "development_status": ["beta"],
        "phases": ["implementation"],
    }
    assert stages["eingestellt"]["mappings"]["development_status"] == ["obsolete"]

    ozg = by_name["ozg_themenfelder"]
    assert len(ozg["terms"]) == 14 and ozg["source"].startswith("https://")
    assert {term["label"]["de"] for term in ozg["terms"]} >= {
        "Arbeit & Ruhestand",
        "Querschnittsleistungen",
        "Unternehmensführung & -entwicklung",
    }
    categories = [term["id"] for term in by_name["publiccode_categories"]["terms"]]
    assert categories == list(code_lists.PUBLICCODE_CATEGORIES)
    assert "workflow-management" in categories and "other" in categories
    every_mapped = {
        code
        for term in by_name["fields_of_action"]["terms"]
        for code in term["mappings"]["publiccode_categories"]
    }
    assert every_mapped <= set(categories)

    one = client.get("/api/v1/vocabularies/stages")
    validate("vocabulary", one.json())
    assert one.json() == by_name["stages"]
    unchanged = {"If-None-Match": one.headers["etag"]}
    assert client.get("/api/v1/vocabularies/stages", headers=unchanged).status_code == 304
    missing = client.get("/api/v1/vocabularies/kategorien")
    assert missing.status_code == 404 and "fields_of_action" in missing.json()["error"]["detail"]


def test_items_carry_our_identifiers_and_the_mapped_ones(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    check_item(item, "http://testserver")
    assert item["fields_of_action"] == ["verwaltung-ozg"]
    assert item["classification"] == {
        "fields_of_action": [
            {"id": "verwaltung-ozg", "label": {"de": "Verwaltung/OZG", "en": "Administration/OZG"}}
        ],
        "stage": {"id": "pilot", "label": {"de": "Pilot", "en": "Pilot"}},
        "ozg_themenfelder": ["querschnittsleistungen"],
        "publiccode_categories": [
            "business-process-management",
            "document-management",
            "workflow-management",
        ],
        "development_status": "beta",
        "phase": "implementation",
    }
    assert item["keyword"] == [*item["tags"], "Verwaltung/OZG"] and item["tags"]


def test_identifiers_survive_renaming(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    admin = factories.account(db, "Ada Admin", role=factories.Role.ADMIN)
    factories.login(client, db, admin)
    field = db.scalars(select(FieldOfAction).where(FieldOfAction.slug == "verwaltung-ozg")).one()
    token = factories.csrf_token(client, "/admin/handlungsfelder")
    renamed = client.post(
        f"/admin/handlungsfelder/{field.id}",
        data={"csrf_token": token, "label": "Digitale Verwaltung", "active": "1"},
    )
    assert renamed.status_code == 303
    publication = publish(db, settings, scene)
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    assert item["fields_of_action"] == ["verwaltung-ozg"]
    assert item["classification"]["fields_of_action"][0] == {
        "id": "verwaltung-ozg",
        "label": {"de": "Digitale Verwaltung", "en": "Administration/OZG"},
    }
    terms = _terms(client.get("/api/v1/vocabularies/fields_of_action").json())
    assert terms["verwaltung-ozg"]["label"]["de"] == "Digitale Verwaltung"
