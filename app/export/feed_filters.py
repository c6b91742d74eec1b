"""A partner's filtered view of the feed: AI projects only, one Land, one field of action.

A filter applies to each project's current item. A project that does not match appears as
a tombstone at the position of its latest change, so a mirror that keeps a filtered copy
deletes what drops out of the filter (and may ignore tombstones of ids it never had). A
cursor remembers its filter: a cursor used with another filter is refused, as the
positions it stands for would skip projects the other filter lets through."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from app.export import schemas
from app.export.feed import BadFeedParameter

USES_AI = frozenset(schemas.AIUse.__args__)  # type: ignore[attr-defined]
LAND = re.compile(r"^\d{2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass(frozen=True)
class FeedFilter:
    uses_ai: tuple[str, ...] = ()  # any of these (`ai` alone: every value but none)
    land: str = ""  # the first two digits of the owner's AGS
    field_of_action: str = ""  # an identifier of the vocabulary fields_of_action

    @property
    def active(self) -> bool:
        return bool(self.uses_ai or self.land or self.field_of_action)

    def fingerprint(self) -> str | None:
        """What a cursor remembers of the filter (None without one: cursors stay as ever)."""
        if not self.active:
            return None
        text = repr(sorted(asdict(self).items()))
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def query(self) -> list[tuple[str, str]]:
        """The filter as query parameters (for links.next)."""
        found = [("uses_ai", value) for value in self.uses_ai]
        if self.land:
            found.append(("land", self.land))
        if self.field_of_action:
            found.append(("field_of_action", self.field_of_action))
        return found

    def matches(self, item: dict[str, Any]) -> bool:
        """Whether a project item passes the filter (tombstones always pass)."""
        if item.get("deleted"):
            return True
        if self.uses_ai and item["uses_ai"] not in self.uses_ai:
            return False
        if self.land and not str(item["municipality"]["ags"]).startswith(self.land):
            return False
        return not self.field_of_action or self.field_of_action in item["fields_of_action"]


def parse(uses_ai: list[str], land: str | None, field_of_action: str | None) -> FeedFilter:
    """The filter from query parameters; BadFeedParameter names what is wrong."""
    wanted: set[str] = set()
    for value in uses_ai:
        if value == "ai":
            wanted |= USES_AI - {"none"}
        elif value in USES_AI:
            wanted.add(value)
        else:
            raise BadFeedParameter("uses_ai must be one of ai, " + ", ".join(sorted(USES_AI)) + ".")
    if land is not None and not LAND.match(land):
        raise BadFeedParameter("land must be the two-digit key of a Land, e.g. 09 for Bayern.")
    if field_of_action is not None and not SLUG.match(field_of_action):
        raise BadFeedParameter(
            "field_of_action must be an identifier of GET /api/v1/vocabularies/fields_of_action."
        )
    return FeedFilter(tuple(sorted(wanted)), land or "", field_of_action or "")


def apply(items: list[dict[str, Any]], wanted: FeedFilter) -> list[dict[str, Any]]:
    """Items that do not match become tombstones (see the module's docstring)."""
    if not wanted.active:
        return items
    return [
        item
        if wanted.matches(item)
        else {
            "id": item["id"],
            "type": "project",
            "created": item["created"],
            "modified": item["modified"],
            "deleted": True,
        }
        for item in items
    ]
