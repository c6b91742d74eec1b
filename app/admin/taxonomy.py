"""The fields-of-action taxonomy, edited by admins (never deleted: Vorhaben refer to it)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line, fold, forbidden_character, too_long
from app.i18n import gettext as _
from app.vorhaben.models import FieldOfAction


def _label(value: str) -> str:
    # The typed value is checked before clean_line(), which would turn some control
    # characters (U+0085, U+001C…U+001F, VT, FF) into spaces: "Smart\x85City" was saved.
    if reason := forbidden_character(value):
        raise ValidationFailed({"label": reason})
    label = clean_line(value)
    if not label:
        raise ValidationFailed({"label": _("Bitte geben Sie eine Bezeichnung an.")})
    if len(label) > 120:
        raise ValidationFailed({"label": too_long(120)})
    return label


def slugify(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")[:60] or "feld"


def add(db: Session, admin: Account, label: str) -> FieldOfAction:
    """A new field of action at the end of the list."""
    text = _label(label)
    slug = base = slugify(text)
    counter = 2
    while db.scalar(
        select(func.count()).select_from(FieldOfAction).where(FieldOfAction.slug == slug)
    ):
        slug, counter = f"{base}-{counter}", counter + 1
    position = (db.scalar(select(func.max(FieldOfAction.position))) or 0) + 10
    entry = FieldOfAction(slug=slug, label=text, position=position, active=True)
    db.add(entry)
    db.flush()
    audit.record(
        db,
        "field_of_action_added",
        actor_id=admin.id,
        object_type="field_of_action",
        object_id=entry.id,
        label=text,
    )
    return entry


def change(
    db: Session, admin: Account, field_id: int, *, label: str, active: bool, position: int | None
) -> FieldOfAction:
    """Rename, reorder, or switch a field of action on or off (audited)."""
    entry = db.get(FieldOfAction, field_id)
    if entry is None:
        raise NotFound(_("Dieses Handlungsfeld gibt es nicht."))
    before = {"label": entry.label, "active": entry.active, "position": entry.position}
    entry.label = _label(label)
    entry.active = active
    if position is not None:
        entry.position = position
    after = {"label": entry.label, "active": entry.active, "position": entry.position}
    if after != before:
        audit.record(
            db,
            "field_of_action_changed",
            actor_id=admin.id,
            object_type="field_of_action",
            object_id=entry.id,
            before=before,
            after=after,
        )
    db.flush()
    return entry
