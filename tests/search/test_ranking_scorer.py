"""The scorer's fast path against the ranking's definition, written out plainly: for every
query and entry the score must be exactly (not about) the same, so that an optimisation
never reorders hits (app.search.ranking)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from app.search.querymodel import Phrase, Query, Term
from app.search.ranking import (
    BROADER,
    COLUMNS,
    K1,
    OTHER_ALTERNATIVE,
    TYPICAL,
    WEIGHTS,
    B,
    Scorer,
)

WORDS = ["ki", "schul", "digital", "plattform", "beteil", "ozg", "onlinezugangsgesetz"]
ALTERNATIVE = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(tuple)
TERM = st.builds(
    Term,
    text=st.just("wort"),
    alternatives=st.lists(ALTERNATIVE, min_size=1, max_size=3).map(tuple),
    broader=st.lists(ALTERNATIVE, max_size=2).map(tuple),
)
PHRASE = st.builds(Phrase, text=st.just("wort"), tokens=ALTERNATIVE)
QUERY = st.builds(
    Query,
    terms=st.lists(TERM, max_size=3).map(tuple),
    phrases=st.lists(PHRASE, max_size=2).map(tuple),
)
# A column: the analyzer's tokens joined by single spaces, or empty.
COLUMN = st.lists(st.sampled_from([*WORDS, "und", "stadt"]), max_size=12).map(" ".join)
ENTRY = st.lists(COLUMN, min_size=len(COLUMNS), max_size=len(COLUMNS))


def _saturation(token: str, columns: Sequence[str]) -> float:
    """A token's occurrences per field, weighted and length-normalised, saturated."""
    weighted = 0.0
    for name, text in zip(COLUMNS, columns, strict=True):
        if not text:
            continue
        norm = 1 - B + B * (text.count(" ") + 1) / TYPICAL[name]
        found = f" {text} ".count(f" {token} ")
        if found:
            weighted += WEIGHTS[name] / max(1.0, norm) * found
    return weighted / (K1 + weighted)


def _definition(query: Query, columns: Sequence[str]) -> float:
    """A term counts by its best alternative (the least saturated of its tokens, weighted:
    the word 1.0, the others OTHER_ALTERNATIVE, the broader ones BROADER); a phrase by its
    least saturated token."""
    total = 0.0
    for term in query.terms:
        weighted = [
            (1.0 if index == 0 else OTHER_ALTERNATIVE, alternative)
            for index, alternative in enumerate(term.alternatives)
        ] + [(BROADER, alternative) for alternative in term.broader]
        total += max(
            [0.0]
            + [
                weight * min(_saturation(token, columns) for token in alternative)
                for weight, alternative in weighted
            ]
        )
    for phrase in query.phrases:
        if phrase.tokens:
            total += min(_saturation(token, columns) for token in phrase.tokens)
    return total


@given(QUERY, ENTRY)
def test_the_scorer_is_the_definition(query: Query, columns: list[str]) -> None:
    assert Scorer(query).score(columns) == _definition(query, columns)


def test_a_title_hit_outranks_the_same_word_in_a_comment() -> None:
    query = Query(terms=(Term("KI", (("ki",),)),))
    scorer = Scorer(query)
    assert scorer.score(["ki pilot", "", "", ""]) > scorer.score(["", "", "", "ki pilot"]) > 0
    assert scorer.score(["stadt", "", "", ""]) == 0.0
