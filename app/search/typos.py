"""Typo tolerance for longer words: close tokens from the index's own vocabulary.

A query token that no document has ("beteiligungsplatform") is replaced by the
vocabulary tokens at most one edit away (two for long words): a letter missing, added,
changed, or two neighbours swapped. Short words get no correction: "KI" one edit from
"IT" is another word, not a typo. Finding candidates in a large vocabulary is the
database's job (a trigram index over the vocabulary table); `close` verifies them, and
`corrected` builds the query, so both databases correct alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from app.search.analyzer import DEFAULT_ANALYZER, Analyzer
from app.search.querymodel import Alternative, Query, Term

MIN_LENGTH = 6  # tokens shorter than this are never corrected
LONG = 10  # from this length, two edits are allowed
MAX_CORRECTIONS = 3


def allowed_edits(token: str) -> int:
    """How many edits a correction of this token may make (0: none)."""
    if len(token) < MIN_LENGTH or token.isdigit():
        return 0
    return 2 if len(token) >= LONG else 1


def distance_at_most(first: str, second: str, limit: int) -> bool:
    """Whether the optimal-string-alignment distance is at most limit (banded, so the
    cost is bounded by the length times the limit)."""
    if abs(len(first) - len(second)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i in range(1, len(first) + 1):
        current = [i] + [limit + 1] * len(second)
        for j in range(max(1, i - limit), min(len(second), i + limit) + 1):
            cost = 0 if first[i - 1] == second[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            swapped = first[i - 1] == second[j - 2] and first[i - 2] == second[j - 1]
            if i > 1 and j > 1 and swapped:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[len(second)] <= limit


def close(token: str, candidates: Iterable[str]) -> list[str]:
    """The candidates a typo of token may have meant, closest length first."""
    limit = allowed_edits(token)
    if not limit:
        return []
    found = sorted(
        {c for c in candidates if c != token and c[:1] == token[:1]},
        key=lambda candidate: (abs(len(candidate) - len(token)), candidate),
    )
    return [c for c in found if distance_at_most(token, c, limit)][:MAX_CORRECTIONS]


def widened(token: str, analyzer: Analyzer = DEFAULT_ANALYZER) -> tuple[Alternative, ...]:
    """A correction and the parts of it as a compound ("burgerbeteil": also burg AND
    beteil, and beteil alone), so that it finds what the word would have found. Only the
    parts: the token itself is a stem already, and stemming it again would change it."""
    analyzed = analyzer.analyze_query(token).terms
    if len(analyzed) != 1:
        return ((token,),)
    term = analyzed[0]
    return ((token,), *term.alternatives[1:], *term.broader)


def corrected(
    query: Query,
    known: Callable[[str], bool],
    candidates: Callable[[str], Iterable[str]],
    widen: Callable[[str], tuple[Alternative, ...]] = widened,
) -> Query:
    """The query with each term that no document has widened by its corrections.

    known(token) says whether any document has the token; candidates(token) names
    vocabulary tokens that may be close (for example, by shared trigrams); widen(fix) the
    alternatives a correction stands for (the first is the fix itself)."""
    terms: list[Term] = []
    for term in query.terms:
        typed = term.alternatives[0]
        # Only a single longer word can be corrected: ask nothing about the others
        # (each question is a lookup in the database).
        if len(typed) != 1 or not allowed_edits(typed[0]):
            terms.append(term)
            continue
        if any(all(known(token) for token in alt) for alt in (*term.alternatives, *term.broader)):
            terms.append(term)
            continue
        fixes = [
            alternative
            for fix in close(typed[0], candidates(typed[0]))
            for alternative in widen(fix)
        ]
        terms.append(replace(term, broader=(*term.broader, *dict.fromkeys(fixes))))
    return replace(query, terms=tuple(terms))
