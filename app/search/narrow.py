"""PostgreSQL's narrow tables of the Vorhaben entries, and who may see a row of a lookup.

`search_titles` (the title's tsvector, migration 0036) and `search_own` (the entry's whole
weighted vector, migration 0037) hold one row per Vorhaben entry, kept by triggers on
`search_entries`. Read from the wide `search_entries`, a lookup's matches were fetched from
rows with the four token columns: a word in 30 % of the titles 90 ms, "OZG" in the own text
103 ms at 100,000 Vorhaben, most of it blocks read past PostgreSQL's cache, and the planner
misjudged how many Vorhaben entries match (it multiplied the word's share of all entries by
the share of Vorhaben entries). Here every row is a Vorhaben entry: the estimate is right,
and the newest are found by the primary key walked backwards or through the GIN index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)

from app.search.models import EntryKind
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import filter_conditions
from app.vorhaben.visibility import ReaderColumns, scoped_visible_clause, visible_clause

SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
# The reader as bound parameters: the lookups are built once per shape.
READER = ReaderColumns(
    bindparam("reader_id", type_=Integer), bindparam("reader_municipality_id", type_=Integer)
)
TITLES = table(
    "search_titles",
    column("entry_id", Integer),
    column("vorhaben_id", Integer),
    column("scope", String),
    column("title"),
)
OWN = table(
    "search_own",
    column("entry_id", Integer),
    column("vorhaben_id", Integer),
    column("scope", String),
    column("own"),
)


def visible(
    statement: Select[Any], filters: tuple[str, ...], scope: Any, vorhaben_id: Any
) -> Select[Any]:
    """Only rows of Vorhaben the reader may see, with the filters: without filters the
    row's copy of its Vorhaben's scope decides inside the index lookup; with filters the
    Vorhaben is joined."""
    if filters:
        return statement.join(Vorhaben, Vorhaben.id == vorhaben_id).where(
            visible_clause(READER), *filter_conditions(filters)
        )
    return statement.where(scoped_visible_clause(READER, scope, vorhaben_id))


def titles(filters: tuple[str, ...]) -> Select[Any]:
    """The title tier for one term or phrase, nothing excluded: the newest Vorhaben entries
    whose title matches `:title_match` (the title then matches the whole query)."""
    statement = _matching(TITLES, TITLES.c.title, "title_match", filters)
    return statement.order_by(TITLES.c.entry_id.desc()).limit(_LIMIT)


def own(rank: bool, filters: tuple[str, ...]) -> Select[Any]:
    """The own-text tier (rank) or its count: the Vorhaben entries whose whole text matches
    `:match` (which leaves out those with an excluded term itself: the vector is the
    Vorhaben's own text)."""
    statement = _matching(OWN, OWN.c.own, "match", filters)
    if rank:
        return statement.order_by(OWN.c.entry_id.desc()).limit(_LIMIT)
    limited = statement.with_only_columns(OWN.c.entry_id).limit(_LIMIT).subquery()
    return select(func.count()).select_from(limited)


_LIMIT = bindparam("limit", type_=Integer)


def _matching(narrow: Any, vector: Any, parameter: str, filters: tuple[str, ...]) -> Select[Any]:
    tsquery = func.to_tsquery(SIMPLE, bindparam(parameter, type_=String))
    statement = select(
        narrow.c.entry_id.label("id"),
        narrow.c.vorhaben_id,
        literal(EntryKind.VORHABEN.value, String).label("kind"),
    ).where(vector.op("@@")(tsquery))
    return visible(statement, filters, narrow.c.scope, narrow.c.vorhaben_id)
