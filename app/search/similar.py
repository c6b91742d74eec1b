"""Similar Vorhaben ("who else works on this?"): more-like-this over the analyzer's tokens.

Every Vorhaben keeps the distinct telling tokens of its title, tags, summary and
description in `vorhaben_terms` (app.search.analyzer: folded, stemmed, with the parts of
compounds, so "Bürgerbeteiligung" and "Beteiligungsplattform" share "beteil"), each with
the weight of the most important field it occurs in (title 3, tags and summary 2,
description 1), written with its search entry. To find Vorhaben like a text, we take its
tokens and those of their synonyms, look up how many Vorhaben use each (capped), keep the
rarest ones that others share, and score the Vorhaben that share them by inverse document
frequency times the stored weight: the classic more-like-this of search engines. Every
step reads a bounded number of index entries, so the cost does not grow with the size of
the exchange.

The best CANDIDATES are then scored again by what they are, not what they say: shared
fields of action count (a bonus up to FIELD_BONUS), the same stage a little (STAGE_BONUS);
among equal scores a municipality in the same Land or of similar size comes first.

Every statistic is counted over the Vorhaben the reader may see, never over all of them:
otherwise the order of the suggestions would tell whether another municipality's internal
Vorhaben uses a word (issue 15). So the suggestions are the same for everyone of one
audience (their municipality), whatever the others wrote (tests/search/
test_restricted_statistics.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    String,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.municipalities.models import Municipality
from app.search import synonym_list
from app.search.analyzer import DEFAULT_ANALYZER, MODIFIER, Analyzer
from app.search.models import VorhabenTerm
from app.vorhaben.models import Vorhaben, VorhabenField, VorhabenTag
from app.vorhaben.repository import Card, load_cards
from app.vorhaben.visibility import (
    Reader,
    scoped_visible_clause,
    visible_clause,
)

VERSION = 1  # raise when a change here changes the stored terms (see FINGERPRINT)
MAX_STORED = 80  # tokens kept per Vorhaben, the most important fields first
MAX_TEXT = 20_000  # characters of a description that are analyzed
LOOKUP_TERMS = 24  # tokens of a text whose frequency a lookup checks
MAX_QUERY_TERMS = 10  # the rarest shared tokens a lookup scores by
COMMON = 1_000  # a token used by more Vorhaben than this says little about similarity
CANDIDATES = 30  # the best by their words, scored again by fields, stage and municipality
FIELD_BONUS = 0.5  # the share a score gains when all fields of action are shared
STAGE_BONUS = 0.1  # the share a score gains for the same stage

# Field weights of the stored tokens (title > tags and summary > description); a
# compound's part other than its head counts half (Analyzer.similarity_weights).
TITLE, LABEL, BODY = 6, 4, 2

# Words of our domain too common to tell Vorhaben apart (before analysis).
_STOPWORD_TEXT = (
    "stadt gemeinde kreis landkreis kommune kommunen kommunal kommunale projekt vorhaben "
    "idee neu neue digital digitale digitaler sowie bereits soll sollen mehr sehr"
)


def _domain_stopwords(analyzer: Analyzer) -> frozenset[str]:
    return frozenset(analyzer.similarity_weights(_STOPWORD_TEXT))


_STOP = _domain_stopwords(DEFAULT_ANALYZER)
# Everything here that shapes the stored terms (the analyzer has a fingerprint of its own).
FINGERPRINT = (
    f"v{VERSION};{TITLE},{LABEL},{BODY};{MODIFIER};{MAX_STORED};{MAX_TEXT};{_STOPWORD_TEXT}"
)


@dataclass(frozen=True)
class Likeness:
    """What suggestions are looked up for: a Vorhaben's text (as typed or stored) and what
    it is (fields of action, stage, its municipality for the tie-break)."""

    text: str  # title and summary
    tags: tuple[str, ...] = ()
    description: str = ""
    field_ids: frozenset[int] = frozenset()
    stage: str | None = None
    municipality_id: int | None = None


def weighted_terms(
    *,
    title: str,
    summary: str = "",
    tags: Iterable[str] = (),
    description: str = "",
    analyzer: Analyzer = DEFAULT_ANALYZER,
    expand: bool = False,
) -> dict[str, int]:
    """The telling tokens of a Vorhaben's text, each with the weight of the most important
    field it occurs in times what it says there (Analyzer.similarity_weights), most
    important field first (numbers and domain stopwords dropped). With expand (for the
    text looked up, not the one stored) synonyms' tokens are added."""
    found: dict[str, int] = {}
    for field_weight, written in (
        (TITLE, title),
        (LABEL, " ; ".join(tags)),
        (LABEL, summary),
        (BODY, description[:MAX_TEXT]),
    ):
        if written:
            for token, weight in _field_terms(analyzer, written, field_weight, expand):
                found[token] = max(found.get(token, 0), weight)
    return found


@lru_cache(maxsize=2_048)
def _field_terms(
    analyzer: Analyzer, text: str, field_weight: int, expand: bool
) -> tuple[tuple[str, int], ...]:
    """The weighted tokens of one field's text (cached: a page's panel analyzes the same
    description on every view, the seed the same pooled texts)."""
    return tuple(
        (token, max(1, round(field_weight * share)))
        for token, share in analyzer.similarity_weights(text, expand=expand).items()
        if token not in _STOP and len(token) <= 60
    )


def stored_terms(
    *, title: str, summary: str, tags: Iterable[str], description: str
) -> dict[str, int]:
    """The tokens stored for a Vorhaben (at most MAX_STORED, the most important first)."""
    terms = weighted_terms(title=title, summary=summary, tags=tags, description=description)
    return dict(list(terms.items())[:MAX_STORED])


def _counts(
    db: Session,
    reader: Reader,
    terms: list[str],
    exclude_id: int | None,
) -> dict[str, int]:
    """How many other Vorhaben the reader may see use each token, counted up to COMMON + 1
    (one statement; the copied scope spares reading the Vorhaben rows of most)."""
    parts = []
    for term in terms:
        capped = (
            select(literal(1))
            .select_from(VorhabenTerm)
            .where(
                VorhabenTerm.term == term,
                VorhabenTerm.vorhaben_id != (exclude_id or 0),
                scoped_visible_clause(reader, VorhabenTerm.scope, VorhabenTerm.vorhaben_id),
            )
            .limit(COMMON + 1)
            .subquery()
        )
        parts.append(
            select(literal(term).label("term"), func.count().label("uses")).select_from(capped)
        )
    return {row.term: int(row.uses) for row in db.execute(union_all(*parts))}


def similar(
    db: Session,
    reader: Reader,
    text: str,
    *,
    tags: Iterable[str] = (),
    description: str = "",
    field_ids: Iterable[int] = (),
    stage: str | None = None,
    municipality_id: int | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> tuple[Card, ...]:
    """Visible Vorhaben most like a text (title and summary, as typed) and what it is."""
    likeness = Likeness(
        text,
        tuple(tags),
        description,
        frozenset(field_ids),
        stage,
        municipality_id if municipality_id is not None else reader.municipality_id,
    )
    return tuple(_similar(db, reader, likeness, exclude_id=exclude_id, limit=limit))


def similar_to(
    db: Session, reader: Reader, vorhaben_id: int, *, limit: int = 5
) -> tuple[Card, ...]:
    """Visible Vorhaben most like a stored one (the panel of its page; the caller has
    checked that the reader may see it)."""

    def listed(column: Any, table: Any) -> Any:
        return (
            select(func.aggregate_strings(cast(column, String), "\n"))
            .where(table.vorhaben_id == Vorhaben.id)
            .scalar_subquery()
        )

    row = db.execute(
        select(
            Vorhaben.title,
            Vorhaben.summary,
            Vorhaben.description,
            Vorhaben.stage,
            Vorhaben.municipality_id,
            listed(VorhabenTag.tag, VorhabenTag).label("tags"),
            listed(VorhabenField.field_id, VorhabenField).label("fields"),
        ).where(Vorhaben.id == vorhaben_id)
    ).one_or_none()
    if row is None:
        return ()
    tags = sorted((row.tags or "").split("\n")) if row.tags else []
    fields = [int(value) for value in (row.fields or "").split("\n") if value]
    likeness = Likeness(
        f"{row.title}\n{row.summary}",
        tuple(tags),
        row.description,
        frozenset(fields),
        row.stage.value,
        row.municipality_id,
    )
    return tuple(_similar(db, reader, likeness, exclude_id=vorhaben_id, limit=limit))


def _similar(
    db: Session, reader: Reader, likeness: Likeness, *, exclude_id: int | None, limit: int
) -> list[Card]:
    asked = weighted_terms(
        title=likeness.text,
        tags=likeness.tags,
        description=likeness.description,
        analyzer=synonym_list.analyzer(db),
        expand=True,
    )
    terms = list(asked)[:LOOKUP_TERMS]
    if not terms:
        return []
    uses = _counts(db, reader, terms, exclude_id)
    shared = [term for term in terms if 0 < uses.get(term, 0) <= COMMON]
    if not shared:
        return []
    # The newest visible id stands for the number of Vorhaben: it grows with them, and the
    # primary key finds it reading backwards from the end.
    newest = db.scalar(
        select(Vorhaben.id).where(visible_clause(reader)).order_by(Vorhaben.id.desc()).limit(1)
    )
    total = max(1, newest or 1)
    # Tokens someone else uses, but not everyone; the rarest in the most important fields
    # are the most telling.
    weight = {term: math.log(1 + total / uses[term]) * asked[term] / TITLE for term in shared}
    telling = sorted(shared, key=lambda term: (-weight[term], terms.index(term)))
    weight = {term: weight[term] for term in telling[:MAX_QUERY_TERMS]}
    # Scored in the database: a common token brings up to COMMON rows, Python need not see them.
    score = func.sum(case(weight, value=VorhabenTerm.term, else_=0.0) * VorhabenTerm.weight)
    scores = {
        row.vorhaben_id: float(row.score)
        for row in db.execute(
            select(VorhabenTerm.vorhaben_id, score.label("score"))
            .where(
                VorhabenTerm.term.in_(list(weight)),
                VorhabenTerm.vorhaben_id != (exclude_id or 0),
                scoped_visible_clause(reader, VorhabenTerm.scope, VorhabenTerm.vorhaben_id),
            )
            .group_by(VorhabenTerm.vorhaben_id)
            .order_by(score.desc(), VorhabenTerm.vorhaben_id.desc())
            .limit(CANDIDATES)
        )
    }
    if not scores:
        return []
    ranked = _rescored(db, likeness, scores)[:limit]
    found = {
        card.id: card for card in load_cards(db, select(Vorhaben).where(Vorhaben.id.in_(ranked)))
    }
    return [found[vorhaben_id] for vorhaben_id in ranked if vorhaben_id in found]


@dataclass(frozen=True)
class _Candidate:
    vorhaben_id: int
    stage: str
    land_id: int | None
    population: int | None
    fields: set[int] = field(default_factory=set)


def _rescored(db: Session, likeness: Likeness, scores: dict[int, float]) -> list[int]:
    """The candidates' ids, best first: their words' score raised by shared fields of
    action and the same stage; ties go to a municipality in the same Land or of similar
    size. Reads only the candidates' own rows (which the reader may see), in one
    statement."""
    home = likeness.municipality_id if likeness.municipality_id is not None else -1
    land = func.coalesce(Municipality.land_id, Municipality.id)
    home_land = select(land).where(Municipality.id == home).scalar_subquery()
    home_size = select(Municipality.population).where(Municipality.id == home).scalar_subquery()
    found: dict[int, _Candidate] = {}
    home_place: tuple[int | None, int | None] = (None, None)
    for row in db.execute(
        select(
            Vorhaben.id,
            Vorhaben.stage,
            land.label("land_id"),
            Municipality.population,
            VorhabenField.field_id,
            home_land.label("home_land_id"),
            home_size.label("home_population"),
        )
        .join(Municipality, Municipality.id == Vorhaben.municipality_id)
        .outerjoin(VorhabenField, VorhabenField.vorhaben_id == Vorhaben.id)
        .where(Vorhaben.id.in_(scores))
    ):
        candidate = found.setdefault(
            row.id, _Candidate(row.id, row.stage.value, row.land_id, row.population)
        )
        if row.field_id is not None:
            candidate.fields.add(row.field_id)
        home_place = (row.home_land_id, row.home_population)

    def key(candidate: _Candidate) -> tuple[float, int, float, int]:
        score = scores[candidate.vorhaben_id]
        if likeness.field_ids:
            shared = likeness.field_ids & candidate.fields
            score *= 1 + FIELD_BONUS * len(shared) / len(likeness.field_ids | candidate.fields)
        if candidate.stage == likeness.stage:
            score *= 1 + STAGE_BONUS
        near, distance = _nearness(home_place, (candidate.land_id, candidate.population))
        return (-round(score, 6), -near, distance, -candidate.vorhaben_id)

    return [candidate.vorhaben_id for candidate in sorted(found.values(), key=key)]


def _nearness(
    home: tuple[int | None, int | None], other: tuple[int | None, int | None]
) -> tuple[int, float]:
    """Same Land, and similar size (within a factor of three), count one each; then the
    difference of size in orders of magnitude (Land, population)."""
    (home_land, home_size), (land, size) = home, other
    near = int(home_land is not None and home_land == land)
    distance = 99.0
    if home_size and size:
        distance = abs(math.log10(home_size) - math.log10(size))
        near += int(distance <= math.log10(3))
    return near, distance
