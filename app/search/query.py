"""Search and similar-Vorhaben queries, each database with its own machinery.

Text is folded the same way on both sides (Müll → mull, Straße → strasse), and terms match
anywhere inside words, so "Strategie" finds "Digitalisierungsstrategie":
SQLite uses an FTS5 trigram index, PostgreSQL pg_trgm GIN indexes with LIKE.

Both rank a hit by its own text alone (terms in the title, the Vorhaben's text above its
comments), never by statistics over the whole index such as FTS5's bm25: those count the
text of Vorhaben the reader may not see, and the order of the hits would tell whether
another municipality's internal Vorhaben uses a word (issue 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlalchemy import Float, Integer, Subquery, bindparam, func, select, text
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.core.markdown import plain_text
from app.core.text import fold_words
from app.search import highlight
from app.search.models import EntryKind, SearchEntry
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import Card, VorhabenFilter, apply_filters, load_cards
from app.vorhaben.visibility import Reader, comment_visible_clause, visible_clause

MIN_TERM = 3
MAX_TERMS = 8


def terms_of(query: str) -> list[str]:
    """The distinct folded terms of a query (at least 3 characters each, at most 8)."""
    seen: list[str] = []
    for word in fold_words(query).replace("_", " ").split():
        if len(word) >= MIN_TERM and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def _hits(db: Session, terms: list[str]) -> Subquery:
    """(vorhaben_id, score) of the Vorhaben whose text or comments contain every term;
    higher is better. The score of an entry depends on that entry alone."""
    params: dict[str, Any] = {}
    title_boost = []
    for index, term in enumerate(terms):
        params[f"t{index}"] = f"%{term}%"
        title_boost.append(f"(CASE WHEN e.title LIKE :t{index} THEN 3 ELSE 0 END)")
    # Title matches first, then a Vorhaben's own text above its comments.
    score = (
        "max("
        + " + ".join(title_boost)
        + " + (CASE WHEN e.kind = 'vorhaben' THEN 1 ELSE 0 END)) AS score "
    )
    if db.get_bind().dialect.name == "sqlite":
        params["match"] = " AND ".join(_fts_phrase(term) for term in terms)
        matching = "e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :match)"
    else:
        matching = " AND ".join(f"e.content LIKE :t{index}" for index in range(len(terms)))
    # Only fixed SQL fragments are joined here; every value is a bound parameter.
    statement = text(
        "SELECT e.vorhaben_id AS vorhaben_id, "
        + score
        + "FROM search_entries e WHERE "
        + matching
        + " GROUP BY e.vorhaben_id"
    )
    return (
        statement.bindparams(*(bindparam(key, value) for key, value in params.items()))
        .columns(vorhaben_id=Integer, score=Float)
        .subquery("hits")
    )


@dataclass(frozen=True)
class SearchResult:
    vorhaben: list[Card]
    total: int
    page: int
    pages: int
    terms: list[str]
    comments: dict[int, Comment]  # the best matching comment of a hit, when its text did not


@dataclass(frozen=True)
class Ranked:
    """A page of hits, the same for everyone of one audience (so it can be shared)."""

    cards: tuple[Card, ...]
    own_text: frozenset[int]  # hits whose own text holds every term (not only a comment)
    total: int
    page: int
    pages: int


def search(
    db: Session,
    reader: Reader,
    query: str,
    filters: VorhabenFilter,
    *,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Visible Vorhaben whose text or comments contain every term, best first."""
    terms = terms_of(query)
    if not terms:
        return SearchResult([], 0, 1, 0, [], {})
    ranked = _ranked(db, reader, terms, filters, page=page, per_page=per_page)
    comments = _matching_comments(
        db, reader, terms, [card.id for card in ranked.cards if card.id not in ranked.own_text]
    )
    return SearchResult(
        list(ranked.cards), ranked.total, ranked.page, ranked.pages, terms, comments
    )


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
    # reads as noise.
    return highlight.excerpt(f"{plain} {plain_text(markdown)}".strip(), list(terms))


def _ranked(
    db: Session,
    reader: Reader,
    terms: list[str],
    filters: VorhabenFilter,
    *,
    page: int,
    per_page: int,
) -> Ranked:
    """One page of the ranked hits (the last one when asked beyond it)."""
    hits = _hits(db, terms)
    matching = apply_filters(
        db,
        select(Vorhaben.id, hits.c.score, func.count().over().label("total"))
        .join(hits, hits.c.vorhaben_id == Vorhaben.id)
        .where(visible_clause(reader)),
        filters,
    )
    # One pass: the page and, with every row, the number of all hits.
    page = max(1, page)
    ranked = db.execute(
        matching.order_by(hits.c.score.desc(), Vorhaben.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not ranked and page > 1:  # beyond the last page: show the last one
        total = db.scalar(select(func.count()).select_from(matching.subquery())) or 0
        page = max(1, -(-total // per_page))
        ranked = db.execute(
            matching.order_by(hits.c.score.desc(), Vorhaben.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    total = int(ranked[0].total) if ranked else 0
    pages = max(1, -(-total // per_page))
    ids = [row.id for row in ranked]
    loaded = {
        card.id: card
        for card in load_cards(db, select(Vorhaben).where(Vorhaben.id.in_(ids)), description=True)
    }
    cards = tuple(loaded[item] for item in ids if item in loaded)
    own_text = frozenset(
        card.id
        for card in cards
        if all(
            term in fold_words(f"{card.title} {card.summary} {card.description}") for term in terms
        )
    )
    return Ranked(cards, own_text, total, page, pages)


def _matching_comments(
    db: Session, reader: Reader, terms: list[str], vorhaben_ids: list[int]
) -> dict[int, Comment]:
    """The first (oldest) matching, undeleted comment the reader may see of each of these
    (visible) Vorhaben."""
    if not vorhaben_ids:
        return {}
    entries = select(SearchEntry.ref_id).where(
        SearchEntry.kind == EntryKind.COMMENT, SearchEntry.vorhaben_id.in_(vorhaben_ids)
    )
    for term in terms:
        entries = entries.where(SearchEntry.content.contains(term, autoescape=True))
    found: dict[int, Comment] = {}
    for comment in db.scalars(
        select(Comment)
        .where(
            Comment.id.in_(entries),
            Comment.deleted_at.is_(None),
            comment_visible_clause(reader, Comment),
        )
        .order_by(Comment.created_at)
    ):
        found.setdefault(comment.vorhaben_id, comment)
    return found
