"""The feed's field list as ../shared/CONTRACT.md words it (the "A project item:" and
"A tombstone:" bullets), to compare with the repository's own JSON Schema (docs/schema/)
where that file exists beside the repository. ALLMENDE_TEST_CONTRACT names another copy.
The tests that read it skip when it is absent (tests/export/test_schema.py: a fresh clone
with nothing beside it tests itself against docs/schema/ alone).

The contract names the nested keys of `municipality`, `links` and `open_source` in
parentheses, the allowed values of `uses_ai`, the form of `url`, and fixed values after
`=`. Where it is silent, this module says so: `partner_municipalities` entries have the
shape of `municipality`; `contact` (null unless consented) carries at most a name, a
position and a mail address.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.conftest import SHARED

# Read when the tests are collected: the test fixtures clear ALLMENDE_* variables later.
CONTRACT = Path(os.environ.get("ALLMENDE_TEST_CONTRACT") or SHARED / "CONTRACT.md")
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
