"""The published JSON Schema (docs/schema/) is the feed's field list, kept in the
repository: valid draft 2020-12, real responses of every surface match it (and it refuses
what must never leave), the OpenAPI description says the same, and so does
../shared/CONTRACT.md wherever that file lies beside the repository."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import partners, withdrawal
from app.outbox.models import Channel, OutboxMessage
from tests import factories
from tests.export import contract_md
from tests.export.contract import (
    ADDITIONS,
    NAMES,
    NESTED_ADDITIONS,
    SCHEMA_DIR,
    atom_entries,
    check_entry,
    registry,
    schemas,
    validate,
)
from tests.publishing import Scene, publish

BASE_URL = "http://testserver"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_published_schemas_are_valid_json_schema() -> None:
    for name, schema in schemas().items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["title"] and schema["description"], name
        resolver = registry().resolver(base_uri=f"{name}.json")
        for ref in _refs(schema):
            assert resolver.lookup(ref).contents, (name, ref)
    assert sorted(path.stem for path in SCHEMA_DIR.glob("*.json")) == sorted(NAMES)


def _webhook_bodies(db: Session) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.channel == Channel.WEBHOOK)
        .order_by(OutboxMessage.id)
    )
    return [json.loads(row.payload["body"]) for row in rows]


def _refused(name: str, instance: Any) -> None:
    with pytest.raises(AssertionError):
        validate(name, instance)


def test_real_responses_match_the_published_schema(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    """A live project (with a consented contact, released twice) and a withdrawn one, as
    the feed, the single project, the webhooks and the Atom feed deliver them."""
    partner, _key = partners.create(db, "Civic Platform")
    private = settings.model_copy(update={"webhooks_allow_private": True})
    partners.add_webhook(db, private, partner, "http://127.0.0.1:9/hook")
    live = publish(db, settings, scene, description="## Ziel\nAnträge *online*", consent=True)
    publish(db, settings, scene, title="Zweite Fassung", consent=True)
    other = factories.vorhaben(db, scene.owner, "Offene Ratsdaten", stage="idee")
    gone = publish(db, settings, Scene(scene.owner, scene.moderator, other))
    withdrawal.withdraw_by_owner(db, settings, scene.owner, other.id)

    page = client.get("/api/v1/projects").json()
    validate("feed-page", page)
    items = {item["id"]: item for item in page["items"]}
    assert [items[live.id]["deleted"], items[gone.id]["deleted"]] == [False, True]
    assert items[live.id]["contact"] is not None and items[live.id]["version"] == 2
    for item in page["items"]:
        check_entry(item, BASE_URL)
        assert client.get(f"/api/v1/projects/{item['id']}").json() == item

    bodies = _webhook_bodies(db)
    assert {body["type"] for body in bodies} == {
        "project.published",
        "project.updated",
        "project.withdrawn",
    }
    for body in bodies:
        validate("webhook-event", body)

    entries = atom_entries(client.get("/feeds/projects.atom").content)
    assert len(entries) == 2
    for entry in entries:
        validate("atom-entry", entry)
    [deleted] = [entry for entry in entries if "ref" in entry]
    assert deleted["ref"] == f"urn:uuid:{gone.id}"
    assert deleted["when"] == items[gone.id]["modified"]
    [entry] = [entry for entry in entries if "id" in entry]
    item = items[live.id]
    assert entry["id"] == f"urn:uuid:{item['id']}" and entry["title"] == item["title"]
    assert (entry["updated"], entry["published"]) == (item["modified"], item["created"])
    assert entry["link"]["href"] == item["url"]
    assert entry["author"] == {"name": item["municipality"]["name"]}
    assert entry["summary"] == item["summary"]
    assert entry["content"] == {"type": "html", "value": item["description_html"]}
    assert [category["term"] for category in entry["category"]] == [
        *item["fields_of_action"],
        f"stage:{item['stage']}",
    ]

    # The schemas are not a formality: they refuse what must never leave.
    tombstone = items[gone.id]
    _refused("project", {**item, "author_email": "olga@owner.example"})
    _refused("project", {**item, "contact": {**item["contact"], "phone": "0800"}})
    _refused("project", {**item, "created": "2026-01-31 12:00"})
    _refused("project", {**item, "stage": "fertig"})
    _refused("tombstone", {**tombstone, "title": item["title"]})
    _refused("feed-item", {**tombstone, "deleted": False})
    _refused(
        "webhook-event", {"type": "project.withdrawn", "timestamp": item["modified"], "data": item}
    )
    _refused("atom-entry", {**entry, "contributor": {"name": "Olga Owner"}})


# -- OpenAPI ------------------------------------------------------------------------------------

IGNORED = frozenset({"title", "description", "default", "discriminator", "$schema", "$defs"})


def _shape(node: Any, resolver: Any) -> Any:
    """A schema as what it allows: $refs followed, anyOf/oneOf as an unordered union,
    documentation (titles, descriptions, defaults) left out."""
    if "$ref" in node:
        resolved = resolver.lookup(node["$ref"])
        return _shape(resolved.contents, resolved.resolver)
    for union in ("anyOf", "oneOf"):
        if union in node:
            options = [_shape(option, resolver) for option in node[union]]
            return {"union": sorted(options, key=lambda shape: json.dumps(shape, sort_keys=True))}
    shape: dict[str, Any] = {}
    for key, value in node.items():
        if key in IGNORED:
            continue
        if key == "properties":
            shape[key] = {name: _shape(inner, resolver) for name, inner in value.items()}
        elif key == "items":
            shape[key] = _shape(value, resolver)
        elif key == "required":
            shape[key] = sorted(value)
        elif key in {"minimum", "maximum"}:
            shape[key] = float(value)
        else:
            shape[key] = value
    return shape


def _published(name: str) -> Any:
    resolver = registry().resolver(base_uri=f"{name}.json")
    return _shape(schemas()[name], resolver)


def test_the_openapi_description_agrees_with_the_published_schema(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    resolver = (
        Registry()
        .with_resource(
            "openapi.json", Resource.from_contents(document, default_specification=DRAFT202012)
        )
        .resolver(base_uri="openapi.json")
    )

    def described(node: Any) -> Any:
        return _shape(node, resolver)

    components = {
        "ProjectItem": "project",
        "Tombstone": "tombstone",
        "FeedPage": "feed-page",
        "Vocabulary": "vocabulary",
        "VocabularyList": "vocabularies",
    }
    for component, name in components.items():
        assert described({"$ref": f"#/components/schemas/{component}"}) == _published(name), name
    paths = document["paths"]
    listing = paths["/api/v1/projects"]["get"]["responses"]["200"]["content"]
    single = paths["/api/v1/projects/{project_id}"]["get"]["responses"]["200"]["content"]
    assert described(listing["application/json"]["schema"]) == _published("feed-page")
    assert described(single["application/json"]["schema"]) == _published("feed-item")
    every = paths["/api/v1/vocabularies"]["get"]["responses"]["200"]["content"]
    one = paths["/api/v1/vocabularies/{name}"]["get"]["responses"]["200"]["content"]
    assert described(every["application/json"]["schema"]) == _published("vocabularies")
    assert described(one["application/json"]["schema"]) == _published("vocabulary")


# -- CONTRACT.md --------------------------------------------------------------------------------

needs_contract = pytest.mark.skipif(
    not contract_md.CONTRACT.is_file(),
    reason=f"{contract_md.CONTRACT} is not beside this repository (ALLMENDE_TEST_CONTRACT "
    "names a copy); the JSON Schema in docs/schema/ is the field list the tests use",
)


@needs_contract
def test_the_contract_is_read_as_written() -> None:
    """The parser finds what the contract says (so a parser slip cannot pass vacuously)."""
    fields = contract_md.item_fields()
    assert len(fields) == 20 and fields["deleted"].fixed == "false"
    assert fields["municipality"].inner == ["name", "ags", "state"]
    assert fields["open_source"].nullable and fields["contact"].nullable
    assert not fields["links"].nullable and fields["type"].fixed == "project"
    assert set(contract_md.tombstone_fields()) == {"id", "type", "created", "modified", "deleted"}


def _allows_null(node: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in node.get("anyOf", []))


def _object(node: dict[str, Any]) -> dict[str, Any]:
    """The object a property holds (past a "$defs" $ref and a nullable anyOf)."""
    for option in node.get("anyOf", [node]):
        if "$ref" in option:
            return dict(
                registry().resolver(base_uri="project.json").lookup(option["$ref"]).contents
            )
        if option.get("type") == "object":
            return dict(option)
    return {}


@needs_contract
def test_the_published_schema_names_the_contracts_fields() -> None:
    """Every field the contract names, in its order, with its nested keys, fixed values,
    allowed values and nullability; the tombstone's fields; the stages; the webhook events.
    Fields the contract does not name yet are the listed additions, after its own."""
    contract = contract_md.item_fields()
    project = schemas()["project"]["properties"]
    assert list(project) == [*contract, *(name for name in ADDITIONS if name not in contract)]
    for name, spec in contract.items():
        node = project[name]
        assert _allows_null(node) == spec.nullable, name
        if spec.fixed is not None:
            expected = {"true": True, "false": False}.get(spec.fixed, spec.fixed)
            assert node["const"] == expected, name
        if not spec.inner:
            continue
        if name == "url":
            assert spec.inner == ["{ALLMENDE_BASE_URL}/p/{id}"] and node["format"] == "uri"
        elif "enum" in node:
            assert node["enum"] == spec.inner, name
        else:
            added = [key for key in NESTED_ADDITIONS.get(name, ()) if key not in spec.inner]
            assert list(_object(node)["properties"]) == [*spec.inner, *added], name
    partners_ = project["partner_municipalities"]["items"]
    assert _object(partners_) == _object(project["municipality"])
    tombstone = schemas()["tombstone"]["properties"]
    assert list(tombstone) == list(contract_md.tombstone_fields())
    assert tombstone["deleted"]["const"] is True
    text = contract_md.CONTRACT.read_text(encoding="utf-8")
    stages = re.search(r"^Stage values: (.+)$", text, re.M)
    assert stages and project["stage"]["enum"] == re.findall(r"`([a-z]+)`", stages.group(1))
    events = re.findall(r"`(project\.[a-z]+)`", text)
    assert schemas()["webhook-event"]["properties"]["type"]["enum"] == events
