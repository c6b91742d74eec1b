"""Search over the word-level index, the same plan on both databases.

1. The query is analyzed (app.search.analyzer: stems, compound parts, synonyms, phrases,
   exclusions) and translated (app.search.expressions) into an FTS5 MATCH (SQLite) or a
   tsquery against the weighted tsvector (PostgreSQL).
2. Candidates, each tier the newest CANDIDATES entries a cheap index lookup finds among the
   Vorhaben the reader may see (filters applied): Vorhaben with a term in the title,
   Vorhaben whose own text matches, comments that match.
3. The candidates are ranked in Python by their own tokens (app.search.ranking: field
   weights title > tags and summary > description > comments, no statistics over other
   documents), a Vorhaben by its best entry; the page is cut from that list.
4. The number of hits is exact up to LIMIT and shown as "mehr als 1.000" beyond it.

Every limit is applied after the visibility rule, and the ranking reads only the
candidates' own text, so what a reader sees cannot depend on text they may not see
(issue 15; tests/search/test_restricted_statistics.py).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    type_coerce,
)
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.core.markdown import plain_parts
from app.core.text import fold_words
from app.db import ids_value, is_sqlite, one_of_ids
from app.search import expressions, highlight, narrow, synonym_list, vocabulary
from app.search.analyzer import Analyzer
from app.search.models import EntryKind, SearchEntry
from app.search.querymodel import Query, Term
from app.search.ranking import COLUMNS, Scorer
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import (
    Card,
    VorhabenFilter,
    filter_values,
    load_cards,
)
from app.vorhaben.visibility import (
    Reader,
    comment_visible_clause,
)

# Entries ranked per search, filled tier by tier. 500 rather than 1,000: ranking reads
# each candidate's tokens, and 1,000 doubled the latency of common words (bench/search.py,
# docs/search.md) while pages beyond the 25th are rarely read.
CANDIDATES = 500
LIMIT = 1_000  # hits counted; beyond, "mehr als 1.000 Treffer"
_FTS = table("search_fts", column("rowid"))
_ENTRY = table("search_entries", column("id"), column("kind"), column("vorhaben_id"))


@dataclass(frozen=True)
class SearchResult:
    vorhaben: list[Card]
    total: int
    page: int
    pages: int
    terms: list[str]  # what to mark in titles and excerpts (folded)
    comments: dict[int, Comment]  # the first matching comment of a hit, when its text did not
    more: bool = False  # more than `total` hits (counted up to LIMIT)
    # Nothing matched the words as typed, so close words were searched (app.search.
    # vocabulary): the query as probably meant, if a hit shows the word.
    meant: str | None = None
    corrected: bool = False


@dataclass
class _Hit:
    vorhaben_id: int
    score: float = 0.0
    own_text: bool = False
    comment_entry: int | None = None  # the oldest matching comment's entry, if any


def search(
    db: Session,
    reader: Reader,
    text: str,
    filters: VorhabenFilter,
    *,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Visible Vorhaben whose own text or one of whose comments matches, best first."""
    if not reader.is_member or not text.strip():
        return SearchResult([], 0, 1, 0, [], {})
    analyzer = synonym_list.analyzer(db)
    query = analyzer.analyze_query(text)
    if query.is_empty:
        return SearchResult([], 0, 1, 0, [], {})
    hits, saturated = _ranked(db, reader, query, filters)
    corrections: dict[str, str] = {}
    if not hits:
        query, corrections = _corrected(db, reader, query, filters, analyzer)
        if corrections:
            hits, saturated = _ranked(db, reader, query, filters)
    total, more = len(hits), False
    if saturated:
        counted = _count(db, reader, query, filters)
        total, more = min(counted, LIMIT), counted > LIMIT
    pages = max(1, -(-len(hits) // per_page))
    page = min(max(1, page), pages)
    shown = hits[(page - 1) * per_page : page * per_page]
    loaded = {
        card.id: card
        for card in load_cards(
            db,
            select(Vorhaben).where(Vorhaben.id.in_([hit.vorhaben_id for hit in shown])),
            description=True,
        )
    }
    cards = [loaded[hit.vorhaben_id] for hit in shown if hit.vorhaben_id in loaded]
    comments = _comments(
        db, reader, [hit.comment_entry for hit in shown if not hit.own_text and hit.comment_entry]
    )
    meant = None
    if corrections and hits:
        shown_texts = [f"{card.title} {card.summary} {card.description}" for card in cards]
        shown_texts.extend(comment.body for comment in comments.values())
        meant = vocabulary.meant(text, corrections, shown_texts)
    return SearchResult(
        cards,
        total,
        page,
        pages,
        marks(text, query),
        comments,
        more,
        meant=meant,
        corrected=bool(corrections and hits),
    )


def _corrected(
    db: Session, reader: Reader, query: Query, filters: VorhabenFilter, analyzer: Analyzer
) -> tuple[Query, dict[str, str]]:
    """The query with longer words nothing visible has widened by close words visible
    entries have (filters applied), and the corrections made."""
    seen: dict[str, bool] = {}

    def visible(token: str) -> bool:
        if token not in seen:
            single = Query(terms=(Term(token, ((token,),)),))
            # Any one will do: unordered, so no plan has to sort every match.
            found = _lookup(db, reader, single, filters, Scope.ALL, Shape.ANY, 1)
            seen[token] = found.first() is not None
        return seen[token]

    return vocabulary.corrected(db, query, visible, analyzer)


def marks(text: str, query: Query) -> list[str]:
    """The folded strings to mark: the words as typed and the tokens they match (stems,
    parts, synonyms), longest first."""
    words = {word for term in query.terms for word in fold_words(term.text).split()}
    words.update(word for phrase in query.phrases for word in fold_words(phrase.text).split())
    words.update(query.tokens)
    return sorted(words, key=lambda word: (-len(word), word))


class Scope(enum.Enum):
    """Which entries a lookup reads."""

    TITLE = "title"  # Vorhaben with a term (or phrase) in the title
    OWN = "own"  # Vorhaben, by their own text
    COMMENT = "comment"  # comments
    ALL = "all"


class Shape(enum.Enum):
    """What a lookup returns."""

    RANK = "rank"  # id, vorhaben_id and kind of the newest :limit entries
    ANY = "any"  # the id of :limit entries, in no order
    COUNT = "count"  # the number of entries, up to :limit
    COUNT_VORHABEN = "count_vorhaben"  # the number of their Vorhaben, up to :limit


_KIND = {
    Scope.TITLE: EntryKind.VORHABEN,
    Scope.OWN: EntryKind.VORHABEN,
    Scope.COMMENT: EntryKind.COMMENT,
}
# Lookups of the Vorhaben's own entries: their match leaves out an excluded term itself.
_KIND_OWN = (Scope.TITLE, Scope.OWN)
# SQLite: a Vorhaben's entry has only the columns a to c, a comment's only d; a column
# filter lets FTS5 itself skip the other kind.
_FTS_COLUMNS = {
    Scope.TITLE: "{tokens_a tokens_b tokens_c}",
    Scope.OWN: "{tokens_a tokens_b tokens_c}",
    Scope.COMMENT: "{tokens_d}",
}
_COLUMNS: dict[Shape, tuple[Any, ...]] = {
    # The kind as its plain value: no enum conversion for each of 500 rows.
    Shape.RANK: (SearchEntry.id, SearchEntry.vorhaben_id, type_coerce(SearchEntry.kind, String)),
    Shape.ANY: (SearchEntry.id,),
    Shape.COUNT: (SearchEntry.id,),
    Shape.COUNT_VORHABEN: (SearchEntry.vorhaben_id,),
}


def _packed(statement: Select[Any]) -> Select[Any]:
    """SQLite: the rows of a statement as one JSON array of arrays (read by _rows()). The
    sqlite3 driver hands the interpreter lock over for every row it steps to, and with 500
    rows per lookup and the other request threads' Python waiting for that lock, each
    hand-over cost a switch between threads. One row, one hand-over: four searches at once
    in process 45-46 -> 53 per second, CPU per search 31 -> 28 ms (docs/search.md)."""
    rows = statement.subquery()
    return select(func.json_group_array(func.json_array(*rows.c)))


def _rows(result: Any, sqlite: bool) -> list[Any]:
    """The rows of a lookup or of the tokens' read: packed on SQLite, plain otherwise."""
    if not sqlite:
        return list(result.all())
    rows: list[Any] = json.loads(result.scalar_one())
    return rows


def _tokens(sqlite: bool) -> Select[Any]:
    """The token columns of the entries `:ids` (packed on SQLite)."""
    statement = select(SearchEntry.id, *(getattr(SearchEntry, name) for name in COLUMNS))
    statement = statement.where(one_of_ids(SearchEntry.id, "ids", sqlite=sqlite))
    return _packed(statement) if sqlite else statement


_TOKENS = {sqlite: _tokens(sqlite) for sqlite in (True, False)}


def _lookup(
    db: Session,
    reader: Reader,
    query: Query,
    filters: VorhabenFilter,
    scope: Scope,
    shape: Shape,
    limit: int,
) -> Any:
    """Run one lookup of the matching entries of Vorhaben the reader may see (filters
    applied): its statement is built once per shape (_statement), the query, the reader
    and the filters are its parameters."""
    sqlite = is_sqlite(db.connection())
    names = filter_values(filters)
    implied = False
    params = {
        **names,
        "reader_id": reader.id,
        "reader_municipality_id": reader.municipality_id,
        "limit": limit,
    }
    if sqlite:
        match = expressions.fts_match(query)
        if scope in _FTS_COLUMNS:
            match = f"{_FTS_COLUMNS[scope]} : ({match})"
        if scope is Scope.TITLE:
            match = f"{match} AND {expressions.fts_title(query)}"
        params["match"] = match
    else:
        params["match"] = expressions.tsquery(query)
        if scope is Scope.TITLE:
            params["title_match"] = expressions.ts_title(query)
            # One term or phrase and nothing excluded: a title that has it matches the
            # whole query, and the match on the whole text is left out (the planner added
            # a scan of every entry with the word and a recheck of each: "Schule" 54 -> 13
            # ms at 100,000 Vorhaben).
            implied = params["title_match"] == params["match"]
    if query.has_exclusions:
        params["excluded"] = (expressions.fts_excluded if sqlite else expressions.ts_excluded)(
            query
        )
    statement = _statement(sqlite, scope, shape, query.has_exclusions, tuple(names), implied)
    # On the connection, not the session: plain rows, without the ORM's result loading
    # (a fifth of the ranking's time for 500 candidates; nothing here is an entity).
    return db.connection().execute(statement, params)


@lru_cache(maxsize=512)
def _statement(
    sqlite: bool,
    scope: Scope,
    shape: Shape,
    excluded: bool,
    filters: tuple[str, ...],
    title_implies_match: bool = False,
) -> Select[Any]:
    """The matching entries, newest first. SQLite reads them from FTS5 in descending rowid
    order, so a LIMIT stops the lookup early; PostgreSQL finds them by the GIN index.

    Without filters the entries' copy of their Vorhaben's scope decides, inside the index
    lookup (no join with every visible Vorhaben); with filters the Vorhaben is joined."""
    if title_implies_match and shape is Shape.RANK and not sqlite and scope is Scope.TITLE:
        return narrow.titles(filters)
    if not sqlite and scope is Scope.OWN and shape in (Shape.RANK, Shape.COUNT):
        return narrow.own(shape is Shape.RANK, filters)
    columns = _COLUMNS[shape]
    match = bindparam("match", type_=String)
    if sqlite:
        statement = (
            select(*columns)
            .select_from(_FTS)
            .join(SearchEntry, SearchEntry.id == _FTS.c.rowid)
            .where(literal_column("search_fts").op("MATCH")(match))
        )
        newest = _FTS.c.rowid.desc()
    else:
        statement = select(*columns)
        if not title_implies_match:
            vector: ColumnElement[Any] = literal_column("search_entries.search_vector")
            statement = statement.where(vector.op("@@")(func.to_tsquery(narrow.SIMPLE, match)))
        newest = SearchEntry.id.desc()
        if scope is Scope.TITLE:
            title = bindparam("title_match", type_=String)
            statement = statement.where(
                func.to_tsvector(narrow.SIMPLE, SearchEntry.tokens_a).op("@@")(
                    func.to_tsquery(narrow.SIMPLE, title)
                )
            )
    if scope in _KIND:
        statement = statement.where(SearchEntry.kind == _KIND[scope])
    if excluded and scope not in _KIND_OWN:
        statement = statement.where(_excluded_vorhaben(sqlite))
    statement = narrow.visible(statement, filters, SearchEntry.scope, SearchEntry.vorhaben_id)
    limit = bindparam("limit", type_=Integer)
    if shape is Shape.RANK:
        newest_first = statement.order_by(newest).limit(limit)
        # Packed, the rows come in the aggregate's order: _ranked() orders them again.
        return _packed(newest_first) if sqlite else newest_first
    if shape is Shape.ANY:
        return statement.limit(limit)
    if shape is Shape.COUNT_VORHABEN:
        statement = statement.distinct()
    return select(func.count()).select_from(statement.limit(limit).subquery())


def _fts_ids() -> Select[Any]:
    return select(_FTS.c.rowid).where(
        literal_column("search_fts").op("MATCH")(bindparam("excluded", type_=String))
    )


def _excluded_vorhaben(sqlite: bool) -> ColumnElement[bool]:
    """Vorhaben whose own text has an excluded term drop out, whatever their comments say.
    Only comments need it: the match of a Vorhaben's own entry leaves the term out itself.
    (PostgreSQL: from `search_entries`, not `search_own`, whose vectors lie out of line: the
    planner, blind to that, read a word in 65 % of the Vorhaben by a scan unpacking every
    vector, 325 ms, instead of the GIN index, 20 ms.)"""
    inner = _ENTRY.alias("x")
    if sqlite:
        having = select(inner.c.vorhaben_id).where(inner.c.id.in_(_fts_ids()))
    else:
        vector: ColumnElement[Any] = literal_column("x.search_vector")
        tsquery = func.to_tsquery(narrow.SIMPLE, bindparam("excluded", type_=String))
        having = select(inner.c.vorhaben_id).where(vector.op("@@")(tsquery))
    return SearchEntry.vorhaben_id.not_in(having.where(inner.c.kind == EntryKind.VORHABEN))


def _ranked(
    db: Session, reader: Reader, query: Query, filters: VorhabenFilter
) -> tuple[list[_Hit], bool]:
    """The candidates (_candidates) ranked, a Vorhaben by its best entry; and whether a
    tier was full (then there may be more hits than candidates). The tokens of the chosen
    entries are read for the ranking."""
    chosen, saturated = _candidates(db, reader, query, filters)
    sqlite = is_sqlite(db.connection())
    scorer = Scorer(query)
    hits: dict[int, _Hit] = {}
    tokens_of = db.connection().execute(_TOKENS[sqlite], {"ids": ids_value(chosen, sqlite=sqlite)})
    for entry_id, *tokens in _rows(tokens_of, sqlite):
        vorhaben_id, own = chosen[entry_id]
        hit = hits.get(vorhaben_id)
        if hit is None:
            hit = hits[vorhaben_id] = _Hit(vorhaben_id)
        score = scorer.score(tokens)
        hit.score = max(hit.score, score)
        if own:
            hit.own_text = True
        elif hit.comment_entry is None or entry_id < hit.comment_entry:
            hit.comment_entry = entry_id
    ranked = sorted(hits.values(), key=lambda hit: (-hit.score, -hit.vorhaben_id))
    return ranked, saturated


def _candidates(
    db: Session, reader: Reader, query: Query, filters: VorhabenFilter
) -> tuple[dict[int, tuple[int, bool]], bool]:
    """The entries to rank, each with its Vorhaben and whether it is the Vorhaben's own
    text; and whether a tier was full. The tiers fill CANDIDATES places in turn, newest
    first within each: Vorhaben with a hit in the title, other Vorhaben whose own text
    matches, then comments."""
    chosen: dict[int, tuple[int, bool]] = {}
    saturated = False
    sqlite = is_sqlite(db.connection())
    for scope in (Scope.TITLE, Scope.OWN, Scope.COMMENT):
        room = CANDIDATES - len(chosen)
        if room <= 0:
            break
        # The title tier's entries come again in the next one: ask for that many more.
        overlap = len(chosen) if scope is Scope.OWN else 0
        found = _lookup(db, reader, query, filters, scope, Shape.RANK, room + overlap)
        rows = _rows(found, sqlite)
        if sqlite:
            rows.sort(key=lambda row: -row[0])  # newest first, as FTS5's rowid (the entry)
        saturated = saturated or len(rows) >= room + overlap
        for entry_id, vorhaben_id, kind in rows:
            if len(chosen) < CANDIDATES:
                chosen.setdefault(entry_id, (vorhaben_id, kind == EntryKind.VORHABEN))
    return chosen, saturated


def _count(db: Session, reader: Reader, query: Query, filters: VorhabenFilter) -> int:
    """Visible matching Vorhaben, counted up to LIMIT + 1. Vorhaben whose own text
    matches are counted first: one entry each, so no DISTINCT, and PostgreSQL reads only
    the postings of Vorhaben entries (the GIN index over them, migration 0035) and stops
    after LIMIT + 1 (docs/search.md, "Anzahl" and "Volle Größe")."""
    own = _lookup(db, reader, query, filters, Scope.OWN, Shape.COUNT, LIMIT + 1)
    counted = int(own.scalar() or 0)
    if counted > LIMIT:
        return counted
    found = _lookup(db, reader, query, filters, Scope.ALL, Shape.COUNT_VORHABEN, LIMIT + 1)
    return int(found.scalar() or 0)


def _comments(db: Session, reader: Reader, entries: Sequence[int]) -> dict[int, Comment]:
    """The comments shown for hits found only in a comment (undeleted, visible), by the
    ids of their search entries."""
    if not entries:
        return {}
    found: dict[int, Comment] = {}
    for comment in db.scalars(
        select(Comment).where(
            Comment.id.in_(select(SearchEntry.ref_id).where(SearchEntry.id.in_(entries))),
            Comment.deleted_at.is_(None),
            comment_visible_clause(reader, Comment),
        )
    ):
        if comment.vorhaben_id is not None:
            found[comment.vorhaben_id] = comment
    return found


def marked(db: Session, result: SearchResult) -> tuple[dict[int, Markup], dict[int, Markup | None]]:
    """The hits' titles and excerpts with the terms marked. An excerpt comes from the best
    matching comment where the Vorhaben's own text did not match."""
    terms = tuple(result.terms)
    titles: dict[int, Markup] = {}
    excerpts: dict[int, Markup | None] = {}
    for card in result.vorhaben:
        titles[card.id] = highlight.mark(card.title, list(terms))
        comment = result.comments.get(card.id)
        if comment is not None:
            excerpts[card.id] = _excerpt("", comment.body, terms)
        else:
            excerpts[card.id] = _excerpt(card.summary, card.description, terms)
    return titles, excerpts


def _excerpt(plain: str, markdown: str, terms: tuple[str, ...]) -> Markup | None:
    # Excerpts show words, not Markdown: "## Hintergrund" or "**fett**" in a hit list
    # reads as noise. Only the blocks up to the window are rendered (most of a hit's cost
    # was rendering its whole description: plain_parts).
    return highlight.excerpt_of(chain((plain,), plain_parts(markdown)), list(terms))
