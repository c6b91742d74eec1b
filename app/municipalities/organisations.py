"""Organisations beside the Destatis registry: associations, Land ministries and
municipalities abroad, kept by the moderators (docs/organisations.md).

They are rows of the register with the level `organisation`, a key `org-N` (never digits,
so never an AGS) and their type in `kind_code`. Members belong to them, own Vorhaben and
see "own municipality" content exactly as members of a registry entry do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import parse_id
from app.core.text import clean_line, fold_words, forbidden_character, too_long
from app.i18n import country_codes
from app.i18n import gettext as _
from app.municipalities.models import (
    HOME_COUNTRY,
    NAME_FOLDED_MAX,
    Level,
    Municipality,
    Organisation,
    OrganisationType,
)

NAME_MAX = 200
KEY_PREFIX = "org-"
# Offered first in the form: the CDO network spans Germany, Austria and Switzerland.
FIRST_COUNTRIES = ("DE", "AT", "CH")
# The register's id column is a 32-bit integer (PostgreSQL refuses a larger parameter).
MAX_ROW_ID = 2**31 - 1


@dataclass
class OrganisationForm:
    name: str = ""
    kind: str = ""
    country: str = HOME_COUNTRY
    land_id: str = ""
    active: bool = True

    @classmethod
    def of(cls, entry: Municipality) -> OrganisationForm:
        return cls(
            name=entry.name,
            kind=str(entry.kind_code or ""),
            country=entry.country,
            land_id=str(entry.land_id or ""),
            active=entry.active,
        )


@dataclass(frozen=True)
class Cleaned:
    name: str
    kind: OrganisationType
    country: str
    land: Municipality | None


def type_options() -> list[tuple[str, str]]:
    return [(str(kind.value), _(kind.label)) for kind in OrganisationType]


def country_options() -> list[tuple[str, str]]:
    """Germany, Austria and Switzerland first, then every other country by name."""
    names = dict(country_codes())
    first = [(code, names[code]) for code in FIRST_COUNTRIES]
    return first + [(code, name) for code, name in names.items() if code not in FIRST_COUNTRIES]


def _land(db: Session, value: str) -> Municipality | None:
    land_id = parse_id(value)
    if land_id is None or land_id > MAX_ROW_ID:
        return None
    return db.scalars(
        select(Municipality).where(Municipality.id == land_id, Municipality.level == Level.LAND)
    ).one_or_none()


def clean(db: Session, form: OrganisationForm) -> Cleaned:
    """The form's values, or ValidationFailed with one message per field."""
    errors: dict[str, str] = {}
    # The typed value is checked before clean_line(), which would turn some control
    # characters (U+0085, U+001C…U+001F, VT, FF) into spaces.
    name = clean_line(form.name)
    if reason := forbidden_character(form.name):
        errors["name"] = reason
    elif not name:
        errors["name"] = _("Bitte geben Sie den Namen der Organisation an.")
    elif len(name) > NAME_MAX:
        errors["name"] = too_long(NAME_MAX)
    kind = next((entry for entry in OrganisationType if str(entry.value) == form.kind), None)
    if kind is None:
        errors["kind"] = _("Bitte wählen Sie die Art der Organisation.")
    country = form.country.strip().upper()
    if country not in dict(country_codes()):
        errors["country"] = _("Bitte wählen Sie einen Staat aus der Liste.")
    land = None
    if form.land_id.strip():
        land = _land(db, form.land_id)
        if land is None:
            errors["land_id"] = _("Bitte wählen Sie ein Land aus der Liste.")
        elif country != HOME_COUNTRY:
            errors["land_id"] = _(
                "Ein deutsches Land passt nur zu einer Organisation in Deutschland."
            )
    if kind is OrganisationType.KOMMUNE_AUSLAND and country == HOME_COUNTRY:
        errors["country"] = _(
            "Kommunen in Deutschland stehen im Gemeindeverzeichnis. Wählen Sie den Staat der "
            "Kommune im Ausland."
        )
    if errors or kind is None:
        raise ValidationFailed(errors)
    return Cleaned(name=name, kind=kind, country=country, land=land)


def _facts(entry: Municipality) -> dict[str, Any]:
    return {
        "name": entry.name,
        "kind": entry.kind_code,
        "country": entry.country,
        "land_id": entry.land_id,
        "active": entry.active,
    }


def _apply(entry: Municipality, data: Cleaned, now: dt.datetime) -> None:
    entry.name = data.name
    entry.name_folded = fold_words(data.name)[:NAME_FOLDED_MAX]
    entry.kind_code = data.kind.value
    entry.country = data.country
    entry.land_id = data.land.id if data.land is not None else None
    entry.updated_at = now


def create(db: Session, actor_id: int | None, form: OrganisationForm) -> Municipality:
    """A new organisation (audited); its key is `org-` and its number."""
    data = clean(db, form)
    now = utcnow()
    entry = Organisation(
        # A placeholder unique key until the row has its number.
        ags=f"new-{uuid.uuid4().hex[:8]}",
        level=Level.ORGANISATION,
        gebietsstand=now.date(),
        active=True,
        created_at=now,
    )
    _apply(entry, data, now)
    db.add(entry)
    db.flush()
    entry.ags = f"{KEY_PREFIX}{entry.id}"
    db.flush()
    audit.record(
        db,
        "organisation_created",
        actor_id=actor_id,
        object_type="municipality",
        object_id=entry.ags,
        **_facts(entry),
    )
    return entry


def change(
    db: Session, actor_id: int, organisation_id: int, form: OrganisationForm
) -> Municipality:
    """Save name, type, country, Land and whether members can still choose it (audited)."""
    entry = get(db, organisation_id)
    data = clean(db, form)
    before = _facts(entry)
    _apply(entry, data, utcnow())
    entry.active = form.active
    after = _facts(entry)
    if after != before:
        db.flush()
        audit.record(
            db,
            "organisation_changed",
            actor_id=actor_id,
            object_type="municipality",
            object_id=entry.ags,
            before={key: value for key, value in before.items() if after[key] != value},
            after={key: value for key, value in after.items() if before[key] != value},
        )
    return entry


def get(db: Session, organisation_id: int) -> Municipality:
    if not 0 < organisation_id <= MAX_ROW_ID:
        raise NotFound()
    entry = db.scalars(
        select(Municipality)
        .where(Municipality.id == organisation_id, Municipality.level == Level.ORGANISATION)
        .options(joinedload(Municipality.land), joinedload(Municipality.kreis))
    ).one_or_none()
    if entry is None:
        raise NotFound()
    return entry


def listing(db: Session) -> list[Municipality]:
    """Every organisation, the active ones first, by name."""
    return list(
        db.scalars(
            select(Municipality)
            .where(Municipality.level == Level.ORGANISATION)
            .options(joinedload(Municipality.land))
            .order_by(Municipality.active.desc(), Municipality.name_folded)
        ).unique()
    )


def is_organisation(db: Session, municipality_id: int) -> bool:
    """Whether this register entry is an organisation (not a unit of the Destatis registry)."""
    level = db.scalar(select(Municipality.level).where(Municipality.id == municipality_id))
    return level is Level.ORGANISATION
