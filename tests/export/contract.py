"""The feed's field whitelist, read from ../shared/CONTRACT.md (the "A project item:" and
"A tombstone:" bullets), so the tests check the contract itself, not a copy of it.

The contract names the nested keys of `municipality`, `links` and `open_source` in
parentheses, the allowed values of `uses_ai`, the form of `url`, and fixed values after
`=`. Where it is silent, this module says so: `partner_municipalities` entries have the
shape of `municipality`; `contact` (null unless consented) carries at most a name, a
position and a mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tests.conftest import SHARED

CONTRACT = SHARED / "CONTRACT.md"
CONTACT_KEYS = frozenset({"name", "position", "email"})
TOKEN = re.compile(r"`([^`]*)`|(\()|(\))|(=)|([^`()=\s,]+)")


@dataclass
class ContractField:
    name: str
    inner: list[str] = field(default_factory=list)  # backticked names in parentheses
    fixed: str | None = None  # the value after `=`
    nullable: bool = False


def _bullet(text: str, lead: str) -> str:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(f"- {lead}"):
            body = [line.removeprefix(f"- {lead}")]
            for following in lines[index + 1 :]:
                if not following.startswith("  "):
                    break
                body.append(following)
            return " ".join(body)
    raise AssertionError(f"CONTRACT.md has no bullet starting {lead!r}")


def _fields(text: str) -> dict[str, ContractField]:
    found: dict[str, ContractField] = {}
    last: ContractField | None = None
    depth = 0
    after_equals = False
    after_close = False
    for match in TOKEN.finditer(text):
        name, opening, closing, equals, word = match.groups()
        if opening:
            depth += 1
        elif closing:
            depth -= 1
            after_close = depth == 0
            continue
        elif equals:
            after_equals = True
            continue
        elif depth == 0 and after_equals and last is not None:
            last.fixed = (name if name is not None else word).rstrip(".")
        elif depth == 0 and name is not None:
            last = found.setdefault(name, ContractField(name))
        elif depth == 0 and word == "null" and after_close and last is not None:
            last.nullable = True  # `open_source` (…) or null
        elif depth > 0 and last is not None:
            if name is not None and not after_equals:
                last.inner.append(name)
            elif word == "null":
                last.nullable = True  # `contact` (null unless consented)
        after_equals = False
        if word != "or":
            after_close = False
    return found


@cache
def item_fields() -> dict[str, ContractField]:
    """The project item's fields, as the contract lists them."""
    return _fields(_bullet(CONTRACT.read_text(encoding="utf-8"), "A project item:"))


@cache
def tombstone_fields() -> dict[str, ContractField]:
    """The tombstone's fields: everything before "nothing else"."""
    text = _bullet(CONTRACT.read_text(encoding="utf-8"), "A tombstone:")
    return _fields(text.split("nothing else", 1)[0])


def check_item(item: dict[str, Any], base_url: str) -> None:
    """Assert that a project item has exactly the contract's fields, nested ones too."""
    fields = item_fields()
    assert set(item) == set(fields), set(item) ^ set(fields)
    for name, spec in fields.items():
        value = item[name]
        if spec.fixed is not None:
            expected: Any = {"true": True, "false": False}.get(spec.fixed, spec.fixed)
            assert value == expected, (name, value)
        if value is None:
            assert spec.nullable, f"{name} is null, which the contract does not allow"
            continue
        if isinstance(value, dict) and spec.inner:
            assert set(value) == set(spec.inner), (name, set(value))
        elif isinstance(value, str) and spec.inner and name == "url":
            template = spec.inner[0]
            assert value == template.replace("{ALLMENDE_BASE_URL}", base_url).replace(
                "{id}", item["id"]
            )
        elif isinstance(value, str) and spec.inner:
            assert value in spec.inner, (name, value)
    municipality = set(fields["municipality"].inner)
    for partner in item["partner_municipalities"]:
        assert set(partner) == municipality, partner
    assert all(isinstance(entry, str) for entry in [*item["tags"], *item["fields_of_action"]])
    if item["contact"] is not None:
        assert set(item["contact"]) <= CONTACT_KEYS, item["contact"]


def check_tombstone(item: dict[str, Any]) -> None:
    """Assert that a tombstone carries the contract's fields and nothing else."""
    fields = tombstone_fields()
    assert set(item) == set(fields), set(item) ^ set(fields)
    for name, spec in fields.items():
        if spec.fixed is not None:
            expected: Any = {"true": True, "false": False}.get(spec.fixed, spec.fixed)
            assert item[name] == expected, (name, item[name])
    assert item["type"] == item_fields()["type"].fixed


def check_entry(item: dict[str, Any], base_url: str) -> None:
    """A feed entry: an item or a tombstone, each exactly as the contract says."""
    if item.get("deleted") is True:
        check_tombstone(item)
    else:
        check_item(item, base_url)
