"""The filtered, sorted, keyset-paginated list of Vorhaben (also the filters of search)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from app.core.ids import parse_id
from app.core.pagination import Page, decode_keyset, encode_keyset
from app.municipalities.models import Level, Municipality
from app.vorhaben.models import (
    AIUse,
    FieldOfAction,
    Stage,
    Vorhaben,
    VorhabenField,
)
from app.vorhaben.visibility import Reader, visible_clause

SORTS = ("activity", "newest")


@dataclass(frozen=True)
class VorhabenFilter:
    """The list filters; every value is optional and comes straight from a query string."""

    stage: str = ""
    field: str = ""
    land: str = ""
    kreis: str = ""
    municipality: str = ""
    partners: str = ""
    ai: str = ""
    open_source: str = ""

    def query_items(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in asdict(self).items() if value]

    @property
    def active(self) -> bool:
        return any(asdict(self).values())


def consistent(db: Session, filters: VorhabenFilter) -> VorhabenFilter:
    """The filters with a Kreis that fits the Land: a Kreis of another Land is dropped (the
    Land was changed), a Kreis alone brings its Land (so both selects show the choice)."""
    kreis_id = parse_id(filters.kreis)
    if kreis_id is None:
        return replace(filters, kreis="") if filters.kreis else filters
    kreis_land = db.scalar(
        select(Municipality.land_id).where(
            Municipality.id == kreis_id, Municipality.level == Level.KREIS
        )
    )
    if kreis_land is None:
        return replace(filters, kreis="")
    if not filters.land:
        return replace(filters, land=str(kreis_land))
    if parse_id(filters.land) != kreis_land:
        return replace(filters, kreis="")
    return filters


_CARD_COLUMNS = [
    Vorhaben.id,
    Vorhaben.title,
    Vorhaben.summary,
    Vorhaben.stage,
    Vorhaben.visibility,
    Vorhaben.municipality_id,
    Vorhaben.author_id,
    Vorhaben.looking_for_partners,
    Vorhaben.created_at,
    Vorhaben.last_activity_at,
    Vorhaben.hidden_at,
]
_CARD_PLACE = (Municipality.id, Municipality.ags, Municipality.name, Municipality.land_id)


def card_options(*, description: bool = False) -> list[Any]:
    """What a Vorhaben card renders: the card's columns, municipality with Land, fields,
    tags; not the long texts (kilobytes per row), unless asked for the description
    (search matches in it). Anything else a card's caller reads raises instead of
    quietly costing a query per row."""
    columns = [*_CARD_COLUMNS, Vorhaben.description] if description else _CARD_COLUMNS
    return [
        load_only(*columns, raiseload=True),
        # A card names its municipality and Land: their twenty other columns (area,
        # population, keys …) only cost time on every row.
        joinedload(Vorhaben.municipality)
        .load_only(*_CARD_PLACE, raiseload=True)
        .joinedload(Municipality.land)
        .load_only(*_CARD_PLACE, raiseload=True),
        selectinload(Vorhaben.fields),
        selectinload(Vorhaben.tags),
    ]


def apply_filters(db: Session, query: Select[Any], filters: VorhabenFilter) -> Select[Any]:
    """Narrow a select over Vorhaben by the list filters (unknown values are ignored)."""
    if filters.stage in {stage.value for stage in Stage}:
        query = query.where(Vorhaben.stage == Stage(filters.stage))
    if filters.field:
        query = query.where(
            exists()
            .where(VorhabenField.vorhaben_id == Vorhaben.id)
            .where(VorhabenField.field_id == FieldOfAction.id)
            .where(FieldOfAction.slug == filters.field)
        )
    owner = select(Municipality.id)
    if (land_id := parse_id(filters.land)) is not None:
        query = query.where(
            Vorhaben.municipality_id.in_(owner.where(Municipality.land_id == land_id))
        )
    if (kreis_id := parse_id(filters.kreis)) is not None:
        query = query.where(
            Vorhaben.municipality_id.in_(owner.where(Municipality.kreis_id == kreis_id))
        )
    if filters.municipality:
        query = query.where(
            Vorhaben.municipality_id.in_(owner.where(Municipality.ags == filters.municipality))
        )
    if filters.partners == "1":
        query = query.where(Vorhaben.looking_for_partners.is_(True))
    if filters.ai in {value.value for value in AIUse}:
        query = query.where(Vorhaben.uses_ai == AIUse(filters.ai))
    if filters.open_source == "1":
        query = query.where(Vorhaben.open_source.is_(True))
    return query


def list_vorhaben(
    db: Session,
    reader: Reader,
    filters: VorhabenFilter,
    *,
    sort: str = "activity",
    after: str | None = None,
    limit: int = 20,
) -> Page[Vorhaben]:
    """A page of visible Vorhaben, newest activity (or newest) first."""
    column = Vorhaben.created_at if sort == "newest" else Vorhaben.last_activity_at
    query = apply_filters(db, select(Vorhaben).where(visible_clause(reader)), filters)
    cursor = decode_keyset(after)
    if cursor is not None:
        stamp, last_id = cursor
        query = query.where((column < stamp) | ((column == stamp) & (Vorhaben.id < last_id)))
    rows = list(
        db.scalars(
            query.options(*card_options())
            .order_by(column.desc(), Vorhaben.id.desc())
            .limit(limit + 1)
        ).unique()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = last.created_at if sort == "newest" else last.last_activity_at
        next_cursor = encode_keyset(value, last.id)
    return Page(rows, next_cursor)


def fields_of_action(db: Session, *, active_only: bool = True) -> list[FieldOfAction]:
    """The taxonomy, in its order."""
    query = select(FieldOfAction).order_by(FieldOfAction.position, FieldOfAction.label)
    if active_only:
        query = query.where(FieldOfAction.active.is_(True))
    return list(db.scalars(query))
