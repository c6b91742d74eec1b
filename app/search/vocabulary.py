"""Typo tolerance against the index (issue 18, item 3): when a longer word finds nothing,
the closest words the reader's visible Vorhaben use take its place.

The vocabulary is the similar-Vorhaben terms (`vorhaben_terms`: the analyzer's tokens of
every Vorhaben's title, tags, summary and description, kept in the Vorhaben's
transaction): no table of its own, nothing more to write. Its distinct tokens with the
same first letter and a length within the allowed edits are read by a loose index scan
(one index probe per distinct token, on both databases) and checked in Python
(app.search.typos: at most one edit, two from ten letters).

Visibility: the vocabulary holds the words of every Vorhaben, also those a reader may not
see. So a candidate counts only if a search entry the reader may see has it (the same
lookup as the search, filters included), and only then is the number of corrections
capped: what is suggested is the same whatever others wrote where the reader cannot look
(tests/search/test_typos_db.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.search import typos
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer, written
from app.search.querymodel import Query

_NEAR = text(
    "WITH RECURSIVE walk(term) AS ("
    " SELECT min(term) FROM vorhaben_terms WHERE term >= :low AND term < :high"
    " UNION ALL"
    " SELECT (SELECT min(v.term) FROM vorhaben_terms v"
    " WHERE v.term > walk.term AND v.term < :high)"
    " FROM walk WHERE walk.term IS NOT NULL)"
    " SELECT term FROM walk"
    " WHERE term IS NOT NULL AND length(term) BETWEEN :shortest AND :longest"
)
_WORD = re.compile(r"[^\W_][\w-]*")


def near(db: Session, token: str) -> list[str]:
    """Distinct vocabulary tokens a typo of token may have meant (visible or not: the
    caller checks)."""
    limit = typos.allowed_edits(token)
    if not limit or not token[0].isalnum():
        return []
    params = {
        "low": token[0],
        "high": chr(ord(token[0]) + 1),
        "shortest": len(token) - limit,
        "longest": len(token) + limit,
    }
    return [
        str(found)
        for found in db.scalars(_NEAR, params)
        if found != token and typos.distance_at_most(token, str(found), limit)
    ]


def corrected(
    db: Session, query: Query, visible: Callable[[str], bool], analyzer: Analyzer
) -> tuple[Query, dict[str, str]]:
    """The query with each longer word that nothing visible has widened by the closest
    words visible entries have (with the analyzer's synonyms of each correction); and the
    corrections, typed word -> token."""
    fixed = typos.corrected(
        query,
        visible,
        lambda token: [found for found in near(db, token) if visible(found)],
        partial(typos.widened, analyzer=analyzer),
    )
    corrections: dict[str, str] = {}
    for before, after in zip(query.terms, fixed.terms, strict=True):
        added = after.broader[len(before.broader) :]
        if added:
            corrections[before.text] = added[0][0]
    return fixed, corrections


def meant(typed: str, corrections: dict[str, str], texts: Iterable[str]) -> str | None:
    """The query as the reader probably meant it: each corrected word replaced by a word
    of the hits' texts that has the corrected token ("Digitalisirung" -> "Digitalisierung");
    None when no such word is found."""
    words: dict[str, str] = {}
    for shown in texts:
        for whole in _WORD.findall(shown):
            # "Online-Bürgerbeteiligung": the whole word and each of its parts.
            for word in (whole, *whole.split("-")) if "-" in whole else (whole,):
                tokens = DEFAULT_ANALYZER.analyze(word) if word else []
                if tokens and tokens[0] not in words:
                    words[tokens[0]] = word
        if all(token in words for token in corrections.values()):
            break
    # Term.text is the word as the analyzer read it (NFKC, no soft hyphen, gender forms
    # folded): replace it in the query read the same way, every time it stands as a word.
    start = written(typed)
    result = start
    for before, token in corrections.items():
        if token not in words:
            return None
        standing = re.compile(rf"(?<![^\W_]){re.escape(before)}(?![^\W_])", re.IGNORECASE)
        result = standing.sub(words[token].replace("\\", "\\\\"), result)
    return result if result != start else None
