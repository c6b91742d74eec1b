"""Ranking the candidates of a search by their own text alone, the same on both databases.

A search entry stores the analyzer's tokens per weight column (`a` title, `b` tags, fields
of action and summary, `c` description and lessons learned, `d` a comment). Its score for
a query is BM25F without the inverse document frequency: each token's occurrences per
field, weighted (title > tags and summary > description > comments) and normalised by the
field's length against a fixed typical length, saturated, averaged over an alternative's
tokens; a term counts by its best alternative (the typed word 1.0, parts and synonyms
0.8, a compound's head alone or a typo correction 0.5), phrases like terms.

No number here is counted over other documents: no document frequency, no average length
of the index. So the order of the hits depends on their own text only, and cannot tell a
reader whether a Vorhaben they may not see uses a word (issue 15; tests/search/
test_restricted_statistics.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.search.analyzer import GAP
from app.search.querymodel import Alternative, Query

COLUMNS = ("tokens_a", "tokens_b", "tokens_c", "tokens_d")
WEIGHTS: Mapping[str, float] = {
    "tokens_a": 3.0,
    "tokens_b": 2.0,
    "tokens_c": 1.0,
    "tokens_d": 0.5,
}
# Typical lengths in tokens (fixed, not measured over the index): a title, tags with a
# summary, a description, a comment.
TYPICAL: Mapping[str, float] = {
    "tokens_a": 6.0,
    "tokens_b": 30.0,
    "tokens_c": 150.0,
    "tokens_d": 40.0,
}
_GAP = f" {GAP} "  # never two in a row (app.search.analyzer's token contract)
K1 = 1.2
B = 0.75
OTHER_ALTERNATIVE = 0.8
BROADER = 0.5


class Scorer:
    """Scores entries (their token text per column, in COLUMNS order) for one query."""

    def __init__(self, query: Query) -> None:
        tokens: dict[str, int] = {}

        def indices(alternative: Alternative) -> tuple[int, ...]:
            return tuple(tokens.setdefault(token, len(tokens)) for token in alternative)

        self._terms = [
            [
                *(
                    (1.0 if index == 0 else OTHER_ALTERNATIVE, indices(alternative))
                    for index, alternative in enumerate(term.alternatives)
                ),
                *((BROADER, indices(alternative)) for alternative in term.broader),
            ]
            for term in query.terms
        ]
        self._phrases = [indices(phrase.tokens) for phrase in query.phrases if phrase.tokens]
        # A token between spaces; a word repeated back to back shares a space with itself
        # and counts once per pair (rare, and cheaper than re-spacing every text).
        self._needles = [f" {token} " for token in tokens]
        self._columns = [(WEIGHTS[name], TYPICAL[name]) for name in COLUMNS]

    def score(self, columns: Sequence[str]) -> float:
        fields: list[tuple[str, float]] = []
        for (weight, typical), text in zip(self._columns, columns, strict=True):
            if text:
                padded = f" {text} "
                # The length in tokens, GAPs not counted (they are no words).
                length = text.count(" ") + 1 - padded.count(_GAP)
                norm = 1 - B + B * length / typical
                fields.append((padded, weight / max(1.0, norm)))
        saturated: list[float] = []
        found_any = False
        for needle in self._needles:
            weighted = 0.0
            for padded, factor in fields:
                found = padded.count(needle)
                if found:
                    weighted += factor * found
            if weighted:
                found_any = True
                saturated.append(weighted / (K1 + weighted))
            else:
                saturated.append(0.0)
        if not found_any:  # (a candidate always has a token; its score would be 0.0 too)
            return 0.0
        total = 0.0
        for alternatives in self._terms:
            best = 0.0
            for weight, indices in alternatives:
                least = saturated[indices[0]]
                for index in indices[1:]:
                    least = min(least, saturated[index])
                best = max(best, weight * least)
            total += best
        for indices in self._phrases:
            least = saturated[indices[0]]
            for index in indices[1:]:
                least = min(least, saturated[index])
            total += least
        return total
