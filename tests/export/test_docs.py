"""docs/export.md is the partners' guide: it names every field an item carries (nested
ones too), every vocabulary, and every parameter of the feed."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.export.vocabularies import NAMES
from tests.export.contract import SCHEMA_DIR, schemas

GUIDE = (SCHEMA_DIR.parent / "export.md").read_text(encoding="utf-8")


def _named(name: str) -> bool:
    return f"`{name}`" in GUIDE or f"`{name}=" in GUIDE or f"{name}`" in GUIDE


def test_the_guide_names_every_field_and_vocabulary() -> None:
    project = schemas()["project"]
    missing = [name for name in project["properties"] if not _named(name)]
    for definition in ("municipality", "ai_record", "image", "mailbox", "classification"):
        missing += [
            f"{definition}.{name}"
            for name in project["$defs"][definition]["properties"]
            if not _named(name)
        ]
    missing += [f"vocabulary {name}" for name in NAMES if not _named(name)]
    assert not missing, missing
    assert Path(SCHEMA_DIR / "vocabulary.json").name in GUIDE


def test_the_guide_names_every_feed_parameter(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    parameters = {
        parameter["name"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert {"uses_ai", "land", "field_of_action", "since"} <= parameters
    assert [name for name in sorted(parameters) if not _named(name)] == []
