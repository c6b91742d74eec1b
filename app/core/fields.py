"""Checks of single form fields shared by every service: a normalised text within its limit,
and a moderator's reason."""

from __future__ import annotations

from app.core.errors import ValidationFailed
from app.core.text import forbidden_character, normalize, too_long
from app.i18n import gettext as _

REASON_MAX = 5000


def check_text(
    errors: dict[str, str],
    field: str,
    value: str,
    *,
    limit: int,
    required: bool = False,
    missing: str = "",
) -> str:
    """Normalise a form value and note what is wrong with it in errors[field].

    `missing` is the (translated) message for a required value left empty.
    """
    value = normalize(value).strip()
    if required and not value:
        errors[field] = missing or _("Bitte füllen Sie dieses Feld aus.")
    elif len(value) > limit:
        errors[field] = too_long(limit, len(value))
    elif reason := forbidden_character(value):
        errors[field] = reason
    return value


def checked_text(
    field: str, value: str, *, limit: int, required: bool = False, missing: str = ""
) -> str:
    """check_text() for a form with this one field: ValidationFailed if it is wrong."""
    errors: dict[str, str] = {}
    text = check_text(errors, field, value, limit=limit, required=required, missing=missing)
    if errors:
        raise ValidationFailed(errors)
    return text


def reason_text(reason: str, *, required: bool = True, missing: str = "") -> str:
    """A moderator's reason (field `reason`, one paragraph, at most REASON_MAX characters)."""
    return checked_text(
        "reason",
        reason,
        limit=REASON_MAX,
        required=required,
        missing=missing or _("Bitte geben Sie eine Begründung an."),
    )
