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

from collections.abc import Mapping

from app.search.querymodel import Alternative, Query, Term

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
K1 = 1.2
B = 0.75
OTHER_ALTERNATIVE = 0.8
BROADER = 0.5


class Scorer:
    """Scores entries (their token text per column) for one query."""

    def __init__(self, query: Query) -> None:
        self.query = query
        self._needles = {token: f" {token} " for token in query.tokens}
        for term in query.terms:
            for alternative in term.broader:
                for token in alternative:
                    self._needles.setdefault(token, f" {token} ")

    def score(self, columns: Mapping[str, str]) -> float:
        padded = {name: f" {text} " for name, text in columns.items() if text}
        norms = {
            name: max(1.0, 1 - B + B * (text.count(" ") - 1) / TYPICAL[name])
            for name, text in padded.items()
        }
        cache: dict[str, float] = {}

        def token(value: str) -> float:
            found = cache.get(value)
            if found is None:
                needle = self._needles.get(value) or f" {value} "
                weighted = sum(
                    WEIGHTS[name] * text.count(needle) / norms[name]
                    for name, text in padded.items()
                )
                found = cache[value] = weighted / (K1 + weighted)
            return found

        def alternative(tokens: Alternative) -> float:
            return min((token(value) for value in tokens), default=0.0)

        def term(item: Term) -> float:
            best = 0.0
            for index, tokens in enumerate(item.alternatives):
                best = max(best, alternative(tokens) * (1.0 if index == 0 else OTHER_ALTERNATIVE))
            for tokens in item.broader:
                best = max(best, alternative(tokens) * BROADER)
            return best

        return sum(term(item) for item in self.query.terms) + sum(
            alternative(phrase.tokens) for phrase in self.query.phrases
        )
