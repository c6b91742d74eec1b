"""What changed between two versions, word by word, as accessible <del>/<ins> markup."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from app.accounts.models import FORMER_MEMBER
from app.i18n import N_, gettext
from app.vorhaben.models import AI_LABELS, AI_RISK_LABELS, STAGE_LABELS, VISIBILITY_LABELS

# Snapshot fields that hold an enum value: shown by their (translated) label.
VALUE_LABELS: dict[str, dict[Any, str]] = {
    "stage": dict(STAGE_LABELS),
    "visibility": dict(VISIBILITY_LABELS),
    "uses_ai": dict(AI_LABELS),
    "ai_risk_class": dict(AI_RISK_LABELS),
}
# Snapshot fields the form labels (forms.LABELS) do not name.
FIELD_LABELS = {
    "looking_for_partners": N_("Sucht Partnerkommunen"),
    "open_source": N_("Open Source"),
}


# A contact name from before versions recorded identities, that no member carried any more
# when they began to (so it could not be erased on request, and was removed).
NAME_REMOVED = N_("Name entfernt")


@dataclass(frozen=True)
class Change:
    field: str
    before: Markup
    after: Markup


# Literal markup only; format() escapes the words that go into it.
DELETED = Markup("<del>{}</del>")
INSERTED = Markup("<ins>{}</ins>")


def _as_text(value: Any, field: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nein")
    if field in VALUE_LABELS and value in VALUE_LABELS[field]:
        return gettext(VALUE_LABELS[field][value])
    if isinstance(value, list):
        return ", ".join(_person(item) if isinstance(item, dict) else str(item) for item in value)
    return str(value)


def _person(entry: dict[str, Any]) -> str:
    """A contact person as a version recorded them: {"id", "name"}; erasure clears the name."""
    if entry.get("name"):
        return str(entry["name"])
    return gettext(FORMER_MEMBER if entry.get("id") else NAME_REMOVED)


def _words(text: str) -> list[str]:
    return text.replace("\n", " \n ").split(" ")


def _shown(words: list[str]) -> Markup:
    # Markup's join and format escape every word; the markup is only our literal tags.
    return Markup(" ").join(Markup("<br>") if word == "\n" else word for word in words)


def _render(before: str, after: str) -> tuple[Markup, Markup]:
    old, new = _words(before), _words(after)
    left: list[Markup] = []
    right: list[Markup] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = old[i1:i2], new[j1:j2]
        if tag == "equal":
            left.append(_shown(removed))
            right.append(_shown(added))
            continue
        if removed:
            left.append(DELETED.format(_shown(removed)))
        if added:
            right.append(INSERTED.format(_shown(added)))
    return Markup(" ").join(left), Markup(" ").join(right)


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The fields whose value differs, in the order of the newer snapshot."""
    found: list[Change] = []
    for field in after:
        old, new = _as_text(before.get(field), field), _as_text(after.get(field), field)
        if old != new:
            rendered = _render(old, new)
            found.append(Change(field, rendered[0], rendered[1]))
    return found
