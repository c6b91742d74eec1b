"""What an identity provider said about an applicant, in words for the moderators
(OpenID Connect standard claims; others are shown by their own name)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.i18n import N_
from app.i18n import gettext as _

CLAIM_LABELS = {
    "sub": N_("Kennung beim Identitätsdienst"),
    "iss": N_("Identitätsdienst"),
    "name": N_("Name"),
    "given_name": N_("Vorname"),
    "family_name": N_("Nachname"),
    "middle_name": N_("Weiterer Vorname"),
    "nickname": N_("Rufname"),
    "preferred_username": N_("Benutzername"),
    "profile": N_("Profilseite"),
    "website": N_("Website"),
    "email": N_("E-Mail-Adresse"),
    "email_verified": N_("E-Mail-Adresse bestätigt"),
    "gender": N_("Geschlecht"),
    "phone_number": N_("Telefon"),
    "phone_number_verified": N_("Telefon bestätigt"),
    "locale": N_("Sprache"),
    "zoneinfo": N_("Zeitzone"),
    "updated_at": N_("Zuletzt geändert"),
    "organization": N_("Organisation"),
    "department": N_("Abteilung"),
    "groups": N_("Gruppen"),
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if value is None or value == "":
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value) or "–"
    return str(value)


@dataclass(frozen=True)
class Claim:
    label: str
    value: str
    known: bool  # False: no German words for it, shown by its own name


def describe(claims: Mapping[str, Any]) -> list[Claim]:
    """The claims in words, in the order the provider gave them."""
    shown = []
    for key, value in claims.items():
        label = CLAIM_LABELS.get(key)
        shown.append(Claim(_(label) if label else key, _value(value), label is not None))
    return shown
