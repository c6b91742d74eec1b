"""Similar Vorhaben ("who else works on this?"): more-like-this over significant words.

Every Vorhaben keeps the distinct significant words of its title, summary and tags in
`vorhaben_terms`, written with its search entry. To find Vorhaben like a text, we take its
words, look up how many Vorhaben use each (capped), keep the rarest ones that others share,
and score the Vorhaben that share them by inverse document frequency — the classic
more-like-this of search engines. Every step reads a bounded number of index entries, so the
cost does not grow with the size of the exchange.

Every statistic is counted over the Vorhaben the reader may see, never over all of them:
otherwise the order of the suggestions would tell whether another municipality's internal
Vorhaben uses a word (issue 15). So the suggestions are the same for everyone of one
audience (their municipality), whatever the others wrote.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import case, delete, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.core.text import fold, fold_words
from app.search.models import VorhabenTerm
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import Card, load_cards
from app.vorhaben.visibility import Reader, restricted_count, visible_clause

MIN_LENGTH = 4
MAX_STORED = 40  # words kept per Vorhaben
MAX_QUERY_TERMS = 8  # the rarest shared words a lookup uses
LOOKUP_TERMS = 20  # words of a text whose frequency a lookup checks
COMMON = 1_000  # a word used by more Vorhaben than this says little about similarity

# Words too common to tell Vorhaben apart.
_STOPWORD_TEXT = (
    "aber alle allem allen aller also auch beim dass dies diese diesem diesen dieser doch dort "
    "durch eine einem einen einer eines gegen hatte ihre ihrem ihren jede jedem jeden jeder "
    "kann kein keine nach nicht noch ohne sein seine sich sind uber unser unsere unter "
    "weil wenn werden wird zwischen stadt gemeinde kreis landkreis kommune kommunen projekt "
    "vorhaben idee neue neuen neuer digital digitale digitalen digitaler sowie damit dabei "
    "mehr sehr bereits soll sollen wurde wurden haben einer unsere unserer"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def terms_of(text: str, tags: Iterable[str] = ()) -> list[str]:
    """The distinct significant words of a text and its tags, folded (Müll → mull)."""
    seen: dict[str, None] = {}
    for tag in tags:
        folded = fold(tag).strip()[:60]
        if len(folded) >= 3:
            seen.setdefault(folded, None)
    for word in fold_words(text).replace("_", " ").split():
        if len(word) >= MIN_LENGTH and word not in STOPWORDS and not word.isdigit():
            seen.setdefault(word[:60], None)
    return list(seen)[:MAX_STORED]


def store_terms(db: Session, vorhaben_id: int, terms: list[str]) -> None:
    """Replace the stored words of a Vorhaben (inside the transaction that changed it)."""
    db.execute(delete(VorhabenTerm).where(VorhabenTerm.vorhaben_id == vorhaben_id))
    db.add_all(VorhabenTerm(term=term, vorhaben_id=vorhaben_id) for term in terms)


def _counts(
    db: Session,
    terms: list[str],
    exclude_id: int | None,
    cap: int,
    reader: Reader | None = None,
) -> dict[str, int]:
    """How many other Vorhaben use each word, counted up to `cap` (one statement): all of
    them, or with `reader` those the reader may see (which reads each one's row)."""
    parts = []
    for term in terms:
        uses = select(literal(1)).select_from(VorhabenTerm)
        if reader is not None:
            uses = uses.join(Vorhaben, Vorhaben.id == VorhabenTerm.vorhaben_id).where(
                visible_clause(reader)
            )
        capped = (
            uses.where(VorhabenTerm.term == term, VorhabenTerm.vorhaben_id != (exclude_id or 0))
            .limit(cap)
            .subquery()
        )
        parts.append(
            select(literal(term).label("term"), func.count().label("uses")).select_from(capped)
        )
    return {row.term: int(row.uses) for row in db.execute(union_all(*parts))}


def _frequencies(
    db: Session, reader: Reader, terms: list[str], exclude_id: int | None
) -> dict[str, int]:
    """How many other Vorhaben the reader may see use each word, counted up to COMMON + 1.

    Checking each use against the visibility rule reads the Vorhaben rows, so only words
    that need it are checked: a word that more than COMMON + (all Vorhaben some member may
    not see) use is used by more than COMMON Vorhaben the reader sees, whoever reads. The
    result is the same as checking every use."""
    bound = COMMON + restricted_count(db)
    everyone = _counts(db, terms, exclude_id, bound + 1)
    uses = {term: COMMON + 1 for term, count in everyone.items() if count > bound}
    checked = [term for term, count in everyone.items() if 0 < count <= bound]
    if checked:
        uses.update(_counts(db, checked, exclude_id, COMMON + 1, reader))
    return uses


def similar(
    db: Session,
    reader: Reader,
    text: str,
    *,
    tags: Iterable[str] = (),
    exclude_id: int | None = None,
    limit: int = 5,
) -> tuple[Card, ...]:
    """Visible Vorhaben that share the most telling words with a text (and tags)."""
    return tuple(_similar(db, reader, text, tags=tuple(tags), exclude_id=exclude_id, limit=limit))


def _similar(
    db: Session,
    reader: Reader,
    text: str,
    *,
    tags: tuple[str, ...],
    exclude_id: int | None,
    limit: int,
) -> list[Card]:
    terms = terms_of(text, tags)[:LOOKUP_TERMS]
    if not terms:
        return []
    uses = _frequencies(db, reader, terms, exclude_id)
    # Words someone else uses, but not everyone: the rarest are the most telling.
    telling = sorted(
        (term for term in terms if 0 < uses.get(term, 0) <= COMMON),
        key=lambda term: uses[term],
    )[:MAX_QUERY_TERMS]
    if not telling:
        return []
    # The newest visible id stands for the number of Vorhaben: it grows with them, and the
    # primary key finds it reading backwards from the end.
    newest = db.scalar(
        select(Vorhaben.id).where(visible_clause(reader)).order_by(Vorhaben.id.desc()).limit(1)
    )
    total = max(1, newest or 1)
    weight = {term: math.log(1 + total / uses[term]) for term in telling}
    # Scored in the database: a common word brings up to COMMON rows, Python need not see them.
    score = func.sum(case(weight, value=VorhabenTerm.term, else_=0.0))
    scores = {
        row.vorhaben_id: float(row.score)
        for row in db.execute(
            select(VorhabenTerm.vorhaben_id, score.label("score"))
            .join(Vorhaben, Vorhaben.id == VorhabenTerm.vorhaben_id)
            .where(
                VorhabenTerm.term.in_(telling),
                VorhabenTerm.vorhaben_id != (exclude_id or 0),
                visible_clause(reader),
            )
            .group_by(VorhabenTerm.vorhaben_id)
            .order_by(score.desc(), VorhabenTerm.vorhaben_id.desc())
            .limit(limit)
        )
    }
    if not scores:
        return []
    found = load_cards(db, select(Vorhaben).where(Vorhaben.id.in_(scores)))
    return sorted(found, key=lambda card: (-scores[card.id], -card.id))
