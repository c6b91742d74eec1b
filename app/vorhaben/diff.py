"""What changed between two versions, word by word, as accessible <del>/<ins> markup."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Change:
    field: str
    before: Markup
    after: Markup


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _words(text: str) -> list[str]:
    return text.replace("\n", " \n ").split(" ")


def _render(before: str, after: str) -> tuple[Markup, Markup]:
    old, new = _words(before), _words(after)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = html.escape(" ".join(old[i1:i2]))
        added = html.escape(" ".join(new[j1:j2]))
        if tag == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    # Every piece was escaped above; only our own <del>/<ins> tags are markup.
    before = Markup(" ".join(left).replace("\n", "<br>"))  # noqa: S704
    after = Markup(" ".join(right).replace("\n", "<br>"))  # noqa: S704
    return before, after


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The fields whose value differs, in the order of the newer snapshot."""
    found: list[Change] = []
    for field in after:
        old, new = _as_text(before.get(field)), _as_text(after.get(field))
        if old != new:
            rendered = _render(old, new)
            found.append(Change(field, rendered[0], rendered[1]))
    return found
