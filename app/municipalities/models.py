"""The register of places members belong to: the official registry of German territorial
units (Destatis GV100AD) and, beside it in the same table, the organisations moderators keep
(associations, Land ministries, municipalities abroad; see docs/organisations.md)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_, gettext, territory_name


class Level(enum.StrEnum):
    """Levels of the registry, in the order of the GV100AD record types 10 to 60."""

    LAND = "land"
    REGIERUNGSBEZIRK = "regierungsbezirk"
    REGION = "region"
    KREIS = "kreis"
    GEMEINDEVERBAND = "gemeindeverband"
    GEMEINDE = "gemeinde"
    # Not a GV100AD level: an organisation kept by the moderators (never touched by an import).
    ORGANISATION = "organisation"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS = {
    Level.LAND: N_("Land"),
    Level.REGIERUNGSBEZIRK: N_("Regierungsbezirk"),
    Level.REGION: N_("Region"),
    Level.KREIS: N_("Kreis"),
    Level.GEMEINDEVERBAND: N_("Gemeindeverband"),
    Level.GEMEINDE: N_("Gemeinde"),
    Level.ORGANISATION: N_("Organisation"),
}

# Levels a member can belong to (the others are statistical or historical units).
MEMBER_LEVELS = (
    Level.LAND,
    Level.KREIS,
    Level.GEMEINDEVERBAND,
    Level.GEMEINDE,
    Level.ORGANISATION,
)

# The levels the Destatis registry (and so its import) consists of.
REGISTRY_LEVELS = (
    Level.LAND,
    Level.REGIERUNGSBEZIRK,
    Level.REGION,
    Level.KREIS,
    Level.GEMEINDEVERBAND,
    Level.GEMEINDE,
)

# The country of every registry entry; organisations carry their own (ISO 3166-1 alpha-2).
HOME_COUNTRY = "DE"


class OrganisationType(enum.IntEnum):
    """What kind of organisation an entry of the level `organisation` is. Stored in
    `kind_code`, beside the GV100AD Textkennzeichen (two digits), so every page that names
    an entry's kind (`kind_label`) names an organisation's type without a case of its own."""

    VERBAND = 901
    LANDESMINISTERIUM = 902
    KOMMUNE_AUSLAND = 903

    @property
    def label(self) -> str:
        return KIND_LABELS[self.value]


class DigitalisationType(enum.StrEnum):
    """The four municipal digitalisation types of the KGSt typology."""

    BEDAECHTIGE = "bedaechtige"
    OPTIMIERER = "optimierer"
    SERVICEORIENTIERTE = "serviceorientierte"
    COMMUNITY_MANAGER = "community_manager"

    @property
    def label(self) -> str:
        return DIGITALISATION_LABELS[self]


DIGITALISATION_LABELS = {
    DigitalisationType.BEDAECHTIGE: N_("Bedächtige"),
    DigitalisationType.OPTIMIERER: N_("Optimierer"),
    DigitalisationType.SERVICEORIENTIERTE: N_("Serviceorientierte"),
    DigitalisationType.COMMUNITY_MANAGER: N_("Community-Manager"),
}


# Textkennzeichen of the GV100AD record description.
KIND_LABELS = {
    41: N_("Kreisfreie Stadt"),
    42: N_("Stadtkreis"),
    43: N_("Kreis"),
    44: N_("Landkreis"),
    45: N_("Regionalverband"),
    50: N_("Verbandsfreie Gemeinde"),
    51: N_("Amt"),
    52: N_("Samtgemeinde"),
    53: N_("Verbandsgemeinde"),
    54: N_("Verwaltungsgemeinschaft"),
    55: N_("Kirchspielslandgemeinde"),
    56: N_("Verwaltungsverband"),
    57: N_("Verwaltungsgemeinschaft (Trägermodell)"),
    58: N_("Erfüllende Gemeinde"),
    60: N_("Markt"),
    61: N_("Kreisfreie Stadt"),
    62: N_("Stadtkreis"),
    63: N_("Stadt"),
    64: N_("Kreisangehörige Gemeinde"),
    65: N_("Gemeindefreies Gebiet, bewohnt"),
    66: N_("Gemeindefreies Gebiet, unbewohnt"),
    67: N_("Große Kreisstadt"),
    OrganisationType.VERBAND.value: N_("Verband"),
    OrganisationType.LANDESMINISTERIUM.value: N_("Landesministerium"),
    OrganisationType.KOMMUNE_AUSLAND.value: N_("Kommune im Ausland"),
}


# Words that already say what kind of unit a name is.
_KIND_WORDS = ("kreis", "region", "verband", "stadt", "gemeinde", "amt")


def country_name(code: str) -> str:
    """A country's name in the reader's language (the code itself if unknown)."""
    return territory_name(code)


def distinct_name(
    name: str, level: Level, kind_code: int | None, country: str = HOME_COUNTRY
) -> str:
    """The name as lists show it: a Kreis or Gemeindeverband whose official name is that of
    a town (the Landkreis `München` beside `München, Landeshauptstadt`) gets its kind, an
    organisation its type and, abroad, its country (`Wien (Kommune im Ausland, Österreich)`)."""
    if level == Level.ORGANISATION:
        kind = gettext(KIND_LABELS.get(kind_code or 0) or LEVEL_LABELS[level])
        if country and country != HOME_COUNTRY:
            return f"{name} ({kind}, {country_name(country)})"
        return f"{name} ({kind})"
    if level not in (Level.KREIS, Level.GEMEINDEVERBAND) or "," in name:
        return name
    # A verbandsfreie Gemeinde is the Gemeinde itself, under the same name.
    if level is Level.GEMEINDEVERBAND and kind_code in (None, 50):
        return name
    if any(word in name.lower() for word in _KIND_WORDS):
        return name
    kind = KIND_LABELS.get(kind_code or 0) or LEVEL_LABELS[level]
    return f"{name} ({gettext(kind)})"


# Folding makes a name longer ("ß" -> "ss", "\ufdfa" -> 18 letters): the folded name is cut
# to its column (PostgreSQL refused a longer one: a 500 for a 200-character name with "ß").
NAME_FOLDED_MAX = 200


class Municipality(Base):
    """A territorial unit; the key `ags` is unique across levels (their lengths differ).

    Keys: Land 2 digits, Regierungsbezirk 3, Region 4, Kreis 5, Gemeinde 8 (the AGS),
    Gemeindeverband 9 (Kreis + Verband). Gemeinden also carry their 12-digit ARS.
    An organisation's key is `org-` and a number: never digits, so it can never meet an AGS.
    """

    __tablename__ = "municipalities"
    __table_args__ = (
        Index("ix_municipalities_level_active_name", "level", "active", "name_folded"),
        Index("ix_municipalities_land_id_level", "land_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ags: Mapped[str] = mapped_column(String(12), unique=True)
    ars: Mapped[str | None] = mapped_column(String(12), unique=True)
    level: Mapped[Level] = mapped_column(str_enum(Level, "municipality_level"))
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(NAME_FOLDED_MAX))
    seat: Mapped[str | None] = mapped_column(String(200))
    kind_code: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="RESTRICT"), index=True
    )
    land_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    kreis_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    area_ha: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    postcode: Mapped[str | None] = mapped_column(String(5))
    postcode_unique: Mapped[bool | None] = mapped_column(Boolean)
    gebietsstand: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    country: Mapped[str] = mapped_column(
        String(2), default=HOME_COUNTRY, server_default=HOME_COUNTRY
    )
    digitalisation_type: Mapped[DigitalisationType | None] = mapped_column(
        str_enum(DigitalisationType, "digitalisation_type", length=30)
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Municipality | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="raise"
    )
    land: Mapped[Municipality | None] = relationship(
        remote_side=[id], foreign_keys=[land_id], lazy="raise"
    )
    kreis: Mapped[Municipality | None] = relationship(
        remote_side=[id], foreign_keys=[kreis_id], lazy="raise"
    )

    __mapper_args__ = {"polymorphic_on": "level"}  # noqa: RUF012

    @property
    def kind_label(self) -> str:
        if self.kind_code in KIND_LABELS:
            return KIND_LABELS[self.kind_code]
        return self.level.label

    @property
    def display_name(self) -> str:
        """The name, with its kind where the name alone could be a town's (distinct_name)."""
        return distinct_name(self.name, self.level, self.kind_code, self.country)

    @property
    def is_organisation(self) -> bool:
        return self.level is Level.ORGANISATION

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def short_name(self) -> str:
        """The name without the official suffix (`Kiel, Landeshauptstadt` → `Kiel`)."""
        return self.name.split(",", 1)[0].strip()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.ags} {self.name!r}>"


class Land(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.LAND}  # noqa: RUF012


class Regierungsbezirk(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.REGIERUNGSBEZIRK}  # noqa: RUF012


class Region(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.REGION}  # noqa: RUF012


class Kreis(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.KREIS}  # noqa: RUF012


class Gemeindeverband(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.GEMEINDEVERBAND}  # noqa: RUF012


class Gemeinde(Municipality):
    __mapper_args__ = {"polymorphic_identity": Level.GEMEINDE}  # noqa: RUF012


class Organisation(Municipality):
    """An association, a Land ministry or a municipality abroad: a row of the same register,
    so membership, ownership of Vorhaben and "own municipality" work for it unchanged."""

    __mapper_args__ = {"polymorphic_identity": Level.ORGANISATION}  # noqa: RUF012
