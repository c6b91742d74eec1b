"""What leaves Allmende, checked against the repository's own JSON Schema (docs/schema/,
draft 2020-12): the same files partners validate with. Items, tombstones, feed pages,
webhook bodies and Atom entries (written as JSON by atom_entries()) must match them
exactly: the schemas forbid any field they do not name."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schema"
NAMES = (
    "project",
    "tombstone",
    "feed-item",
    "feed-page",
    "webhook-event",
    "atom-entry",
    "vocabulary",
    "vocabularies",
)
# Item fields added after the contract's (issue 21), in the schema's order: the proposal for
# CONTRACT.md's field list. Until the contract names them they follow its fields; once it
# does, the contract's order rules.
ADDITIONS: tuple[str, ...] = (
    "classification",
    "keyword",
    "license",
    "license_id",
    "language",
    "translations",
    "seeks_partners",
    "lessons_learned_html",
    "funding_programme",
    "start_date",
    "end_date",
    "mailbox",
    "image",
    "ai_record",
    "files",  # issue 20: optional, absent from items without files
)
# Keys added to the nested objects the contract names.
NESTED_ADDITIONS: dict[str, tuple[str, ...]] = {"municipality": ("level", "ars")}
ATOM = "{http://www.w3.org/2005/Atom}"
TOMBSTONES = "{http://purl.org/atompub/tombstones/1.0}"

# The formats the schemas use, checked strictly (jsonschema checks date-time and uri only
# with optional packages installed; without them it would let anything pass).
formats = FormatChecker(formats=())


@formats.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 with a "T" and a zone, as the feed writes it."""
    if not isinstance(value, str):
        return True
    return "T" in value and dt.datetime.fromisoformat(value).tzinfo is not None


@formats.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    """A calendar day as YYYY-MM-DD."""
    return not isinstance(value, str) or dt.date.fromisoformat(value).isoformat() == value


@formats.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


@formats.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """Every published schema by name (docs/schema/{name}.json)."""
    return {
        name: json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))
        for name in NAMES
    }


@cache
def registry() -> Registry[Any]:
    """The schemas under their file names, as partners' tools resolve the relative $refs."""
    return Registry().with_resources(
        (f"{name}.json", Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas().items()
    )


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schemas()[name], registry=registry(), format_checker=formats)


def validate(name: str, instance: Any) -> None:
    """Assert that `instance` matches docs/schema/{name}.json, naming every problem."""
    problems = sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in validator(name).iter_errors(instance)
    )
    assert not problems, problems


def check_item(item: dict[str, Any], base_url: str) -> None:
    """A project item: exactly the published fields, its page under the base URL."""
    validate("project", item)
    assert item["url"] == f"{base_url}/p/{item['id']}", item["url"]


def check_tombstone(item: dict[str, Any]) -> None:
    """A tombstone: id, type, created, modified, deleted = true, nothing else."""
    validate("tombstone", item)


def check_entry(item: dict[str, Any], base_url: str) -> None:
    """A feed entry: an item or a tombstone."""
    validate("feed-item", item)
    if item["deleted"] is False:
        check_item(item, base_url)


def item_fields() -> list[str]:
    """The project item's fields, in the schema's order."""
    return list(schemas()["project"]["properties"])


def atom_entries(xml: bytes | str) -> list[dict[str, Any]]:
    """The entries of an Atom page written as JSON, as docs/schema/atom-entry.json reads
    them: each element by its name, attributes as members, text as `value` beside them."""
    feed = ET.fromstring(xml)  # noqa: S314 - our own response
    found: list[dict[str, Any]] = []
    for element in feed:
        if element.tag == f"{TOMBSTONES}deleted-entry":
            comment = element.find(f"{TOMBSTONES}comment")
            found.append(
                {
                    **element.attrib,
                    **({"comment": comment.text or ""} if comment is not None else {}),
                }
            )
        elif element.tag == f"{ATOM}entry":
            entry: dict[str, Any] = {}
            for child in element:
                name = child.tag.removeprefix(ATOM)
                assert name == "category" or name not in entry, f"two <{name}> in an entry"
                if name == "category":
                    entry.setdefault(name, []).append(dict(child.attrib))
                elif name == "author":
                    entry[name] = {part.tag.removeprefix(ATOM): part.text for part in child}
                elif child.attrib and name == "link":
                    entry[name] = dict(child.attrib)
                elif child.attrib:
                    entry[name] = {**child.attrib, "value": child.text or ""}
                else:
                    entry[name] = child.text or ""
            found.append(entry)
    return found
