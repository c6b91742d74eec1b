"""The filtered, sorted, keyset-paginated list of Vorhaben (also the filters of search)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.core.ids import parse_id
from app.core.pagination import Page, decode_keyset, encode_keyset
from app.municipalities.models import HOME_COUNTRY, Level, Municipality, distinct_name
from app.vorhaben.models import (
    STAGE_LABELS,
    AIRecord,
    AIRiskClass,
    AIUse,
    FieldOfAction,
    Stage,
    Visibility,
    Vorhaben,
    VorhabenField,
    VorhabenTag,
)
from app.vorhaben.visibility import Reader, ReaderColumns, visible_clause

SORTS = ("activity", "newest")
# The AI-risk filter value for Vorhaben that use AI without a risk class in their record.
AI_UNASSESSED = "unassessed"


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
    ai_risk: str = ""  # a risk class of the AI record, or AI_UNASSESSED

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


_CARD_COLUMNS = (
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
)
# Aliases of their own, so a query that already joins municipalities keeps its join. Their
# columns are resolved here, once: an aliased class builds them on first access, and
# concurrent first accesses (the first requests after a start) could pick the table's own
# column instead of the alias's, which broke the query for the life of the process.
_PLACE = aliased(Municipality, name="card_place")
_LAND = aliased(Municipality, name="card_land")
_PLACE_COLUMNS = (
    _PLACE.ags,
    _PLACE.name,
    _PLACE.land_id,
    _PLACE.level,
    _PLACE.kind_code,
    _PLACE.country,
)
_LAND_COLUMNS = (_LAND.ags.label("land_ags"), _LAND.name.label("land_name"))
_PLACE_JOIN = _PLACE.id == Vorhaben.municipality_id
_LAND_JOIN = _LAND.id == _PLACE.land_id


@dataclass(frozen=True, slots=True)
class CardPlace:
    id: int
    ags: str
    name: str
    land: CardPlace | None = None
    level: Level = Level.LAND
    kind_code: int | None = None
    country: str = HOME_COUNTRY

    @property
    def display_name(self) -> str:
        return distinct_name(self.name, self.level, self.kind_code, self.country)


@dataclass(frozen=True, slots=True)
class CardField:
    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class CardTag:
    tag: str


@dataclass(frozen=True, slots=True)
class Card:
    """What a Vorhaben card shows, read as plain rows: building ORM objects with their
    municipality, Land, fields and tags was most of a list page's time."""

    id: int
    title: str
    summary: str
    stage: Stage
    visibility: Visibility
    municipality_id: int
    author_id: int | None
    looking_for_partners: bool
    created_at: datetime
    last_activity_at: datetime
    hidden_at: datetime | None
    municipality: CardPlace
    fields: tuple[CardField, ...]
    tags: tuple[CardTag, ...]
    description: str = ""

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


def load_cards(db: Session, query: Select[Any], *, description: bool = False) -> list[Card]:
    """The cards of a select over Vorhaben (its conditions, order and limit are kept; the
    caller brings the visibility rule), with municipality and Land, then fields and tags in
    a second statement. `description` adds the long text (search matches in it)."""
    return load_card_lists(db, [query], description=description)[0]


def load_card_lists(
    db: Session, queries: list[Select[Any]], *, description: bool = False
) -> list[list[Card]]:
    """load_cards() for several selects (a page with more than one list): one statement
    for each list, and one for the fields and tags of all of them."""
    lists = [db.execute(card_select(query, description=description)).all() for query in queries]
    return cards_of(db, lists, description=description)


def card_select(query: Select[Any], *, description: bool = False) -> Select[Any]:
    """The statement load_cards() runs for a select over Vorhaben: a page whose selects
    take bound parameters builds it once, runs it and makes cards of its rows (cards_of())."""
    columns: list[Any] = [*_CARD_COLUMNS, *_PLACE_COLUMNS, *_LAND_COLUMNS]
    if description:
        columns.append(Vorhaben.description)
    return (
        query.with_only_columns(*columns, maintain_column_froms=True)
        .join_from(Vorhaben, _PLACE, _PLACE_JOIN)
        .outerjoin(_LAND, _LAND_JOIN)
    )


def cards_of(
    db: Session, lists: Sequence[Sequence[Any]], *, description: bool = False
) -> list[list[Card]]:
    """The cards of lists of rows with card_select()'s columns (read in any statement, one
    for several lists or more), with the fields and tags of all of them in one statement."""
    ids = sorted({row.id for rows in lists for row in rows})
    fields: dict[int, list[CardField]] = {}
    tags: dict[int, list[CardTag]] = {}
    if ids:
        for vorhaben_id, is_field, text, label in db.execute(_FACETS, {"ids": ids}):
            if is_field:
                fields.setdefault(vorhaben_id, []).append(CardField(text, label))
            else:
                tags.setdefault(vorhaben_id, []).append(CardTag(text))
    return [[_card(row, fields, tags, description=description) for row in rows] for rows in lists]


def _card(
    row: Any,
    fields: dict[int, list[CardField]],
    tags: dict[int, list[CardTag]],
    *,
    description: bool,
) -> Card:
    land = None
    if row.land_id is not None:
        land = CardPlace(row.land_id, row.land_ags or "", row.land_name or "")
    return Card(
        id=row.id,
        title=row.title,
        summary=row.summary,
        stage=row.stage,
        visibility=row.visibility,
        municipality_id=row.municipality_id,
        author_id=row.author_id,
        looking_for_partners=row.looking_for_partners,
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
        hidden_at=row.hidden_at,
        municipality=CardPlace(
            row.municipality_id, row.ags, row.name, land, row.level, row.kind_code, row.country
        ),
        fields=tuple(fields.get(row.id, ())),
        tags=tuple(tags.get(row.id, ())),
        description=(row.description or "") if description else "",
    )


def _facets_statement() -> Select[Any]:
    """The fields of action (in taxonomy order) and tags (by tag) of the Vorhaben `:ids`
    in one statement: (vorhaben_id, is_field, slug or tag, label). Built once."""
    ids = bindparam("ids", expanding=True, type_=Integer)
    one, zero = literal_column("1", Integer), literal_column("0", Integer)
    both = union_all(
        select(
            VorhabenField.vorhaben_id.label("vorhaben_id"),
            one.label("is_field"),
            FieldOfAction.slug.label("text"),
            FieldOfAction.label.label("label"),
            FieldOfAction.position.label("position"),
            FieldOfAction.id.label("key"),
        )
        .join(FieldOfAction, FieldOfAction.id == VorhabenField.field_id)
        .where(VorhabenField.vorhaben_id.in_(ids)),
        select(VorhabenTag.vorhaben_id, zero, VorhabenTag.tag, VorhabenTag.tag, zero, zero).where(
            VorhabenTag.vorhaben_id.in_(ids)
        ),
    ).subquery("facets")
    return select(both.c.vorhaben_id, both.c.is_field, both.c.text, both.c.label).order_by(
        both.c.is_field, both.c.position, both.c.key, both.c.text
    )


_FACETS = _facets_statement()


def started_by(db: Session, reader: Reader, author_id: int, *, limit: int = 50) -> list[Card]:
    """The Vorhaben an author started that the reader may see, latest activity first."""
    return load_cards(
        db,
        select(Vorhaben)
        .where(Vorhaben.author_id == author_id, visible_clause(reader))
        .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
        .limit(limit),
    )


def filter_values(filters: VorhabenFilter) -> dict[str, Any]:
    """The filters that apply, by the name of their condition, with their values."""
    values: dict[str, Any] = {}
    if filters.stage in {stage.value for stage in Stage}:
        values["f_stage"] = Stage(filters.stage)
    if filters.field:
        values["f_field"] = filters.field
    if (land_id := parse_id(filters.land)) is not None:
        values["f_land"] = land_id
    if (kreis_id := parse_id(filters.kreis)) is not None:
        values["f_kreis"] = kreis_id
    if filters.municipality:
        values["f_municipality"] = filters.municipality
    if filters.partners == "1":
        values["f_partners"] = True
    if filters.ai in {value.value for value in AIUse}:
        values["f_ai"] = AIUse(filters.ai)
    if filters.open_source == "1":
        values["f_open_source"] = True
    if filters.ai_risk in {value.value for value in AIRiskClass}:
        values["f_ai_risk"] = AIRiskClass(filters.ai_risk)
    elif filters.ai_risk == AI_UNASSESSED:
        values["f_unassessed"] = True
    return values


def filter_conditions(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The conditions of the filters `names` (filter_values()'s keys), with bound parameters
    of those names: a statement built once per set of filters, the values given when it runs."""

    conditions: list[ColumnElement[bool]] = []
    if "f_stage" in names:
        conditions.append(Vorhaben.stage == bindparam("f_stage"))
    if "f_field" in names:
        conditions.append(
            exists()
            .where(VorhabenField.vorhaben_id == Vorhaben.id)
            .where(VorhabenField.field_id == FieldOfAction.id)
            .where(FieldOfAction.slug == bindparam("f_field"))
        )
    owner = select(Municipality.id)
    if "f_land" in names:
        land = owner.where(Municipality.land_id == bindparam("f_land"))
        conditions.append(Vorhaben.municipality_id.in_(land))
    if "f_kreis" in names:
        kreis = owner.where(Municipality.kreis_id == bindparam("f_kreis"))
        conditions.append(Vorhaben.municipality_id.in_(kreis))
    if "f_municipality" in names:
        place = owner.where(Municipality.ags == bindparam("f_municipality"))
        conditions.append(Vorhaben.municipality_id.in_(place))
    if "f_partners" in names:
        conditions.append(Vorhaben.looking_for_partners.is_(True))
    if "f_ai" in names:
        conditions.append(Vorhaben.uses_ai == bindparam("f_ai"))
    if "f_open_source" in names:
        conditions.append(Vorhaben.open_source.is_(True))
    if "f_ai_risk" in names:
        conditions += [
            Vorhaben.uses_ai != AIUse.NONE,
            exists()
            .where(AIRecord.vorhaben_id == Vorhaben.id)
            .where(AIRecord.risk_class == bindparam("f_ai_risk")),
        ]
    elif "f_unassessed" in names:
        conditions += [
            Vorhaben.uses_ai != AIUse.NONE,
            ~exists()
            .where(AIRecord.vorhaben_id == Vorhaben.id)
            .where(AIRecord.risk_class.is_not(None)),
        ]
    return conditions


def list_vorhaben(
    db: Session,
    reader: Reader,
    filters: VorhabenFilter,
    *,
    sort: str = "activity",
    after: str | None = None,
    limit: int = 20,
) -> Page[Card]:
    """A page of visible Vorhaben, newest activity (or newest) first."""
    values = filter_values(filters)
    cursor = decode_keyset(after)
    params: dict[str, Any] = {
        **values,
        "reader_id": reader.id,
        "reader_municipality_id": reader.municipality_id,
    }
    if cursor is not None:
        params["after_stamp"], params["after_id"] = cursor
    statement = _list_statement(
        reader.is_member, tuple(values), sort == "newest", cursor is not None, limit + 1
    )
    rows = cards_of(db, [db.execute(statement, params).all()])[0]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = last.created_at if sort == "newest" else last.last_activity_at
        next_cursor = encode_keyset(value, last.id)
    return Page(rows, next_cursor)


@functools.lru_cache(maxsize=256)
def _list_statement(
    member: bool, filters: tuple[str, ...], newest: bool, after: bool, limit: int
) -> Select[Any]:
    """The cards statement of list_vorhaben() for one shape of the list (which filters,
    which order, whether after a cursor), built once; the values are bound when it runs."""
    reader = ReaderColumns(
        bindparam("reader_id", type_=Integer),
        bindparam("reader_municipality_id", type_=Integer),
        is_member=member,
    )
    column = Vorhaben.created_at if newest else Vorhaben.last_activity_at
    query = select(Vorhaben).where(visible_clause(reader), *filter_conditions(filters))
    if after:
        stamp = bindparam("after_stamp", type_=column.type)
        last_id = bindparam("after_id", type_=Integer)
        query = query.where((column < stamp) | ((column == stamp) & (Vorhaben.id < last_id)))
    return card_select(query.order_by(column.desc(), Vorhaben.id.desc()).limit(limit))


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the list filters that come from the database, as plain values."""

    laender: tuple[tuple[int, str], ...]  # id, name, in AGS order
    fields: tuple[tuple[str, str], ...]  # slug, untranslated label, in taxonomy order


def _options_statement() -> Select[Any]:
    """The Länder (by AGS) and the active fields of action (in taxonomy order), one
    statement: (is_field, land_id, slug, label). Built once."""
    nothing = literal_column("NULL", String)
    laender = select(
        literal_column("0", Integer).label("is_field"),
        Municipality.id.label("land_id"),
        nothing.label("slug"),
        Municipality.name.label("label"),
        literal_column("0", Integer).label("position"),
        Municipality.ags.label("sort"),
    ).where(Municipality.level == Level.LAND)
    fields = select(
        literal_column("1", Integer),
        literal_column("NULL", Integer),
        FieldOfAction.slug,
        FieldOfAction.label,
        FieldOfAction.position,
        FieldOfAction.label,
    ).where(FieldOfAction.active.is_(True))
    both = union_all(laender, fields).subquery("options")
    return select(both.c.is_field, both.c.land_id, both.c.slug, both.c.label).order_by(
        both.c.is_field, both.c.position, both.c.sort
    )


_OPTIONS = _options_statement()


def filter_options(db: Session) -> FilterOptions:
    """The Länder and the active fields of action (the same for every reader), in one
    statement."""
    rows = db.execute(_OPTIONS).all()
    return FilterOptions(
        laender=tuple((row.land_id, row.label) for row in rows if not row.is_field),
        fields=tuple((row.slug, row.label) for row in rows if row.is_field),
    )


def kreise_of(db: Session, land_id: int) -> tuple[tuple[int, str], ...]:
    """The active Kreise of a Land, by name (id, name)."""

    rows = db.execute(
        select(Municipality.id, Municipality.name)
        .where(
            Municipality.level == Level.KREIS,
            Municipality.land_id == land_id,
            Municipality.active.is_(True),
        )
        .order_by(Municipality.name)
    )
    return tuple((row.id, row.name) for row in rows)


def fields_of_action(db: Session, *, active_only: bool = True) -> list[FieldOfAction]:
    """The taxonomy, in its order."""
    query = select(FieldOfAction).order_by(FieldOfAction.position, FieldOfAction.label)
    if active_only:
        query = query.where(FieldOfAction.active.is_(True))
    return list(db.scalars(query))
