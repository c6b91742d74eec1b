"""Typo tolerance: a longer word with one slip still finds what was meant."""

from __future__ import annotations

import pytest

from app.search.analyzer import DEFAULT_ANALYZER
from app.search.typos import close, corrected, distance_at_most

VOCABULARY = {
    token
    for text in (
        "Digitalisierungsstrategie der Stadt",
        "Online-Bürgerbeteiligung mit Beteiligungsplattform",
        "KI im Bürgerservice, IT-Sicherheit",
        "Bodenfeuchtesensoren im Park",
    )
    for token in DEFAULT_ANALYZER.analyze(text)
}


@pytest.mark.parametrize(
    ("first", "second", "limit", "expected"),
    [
        ("plattform", "platform", 1, True),
        ("plattform", "plattfrom", 1, True),  # two neighbours swapped
        ("plattform", "plotform", 1, False),
        ("digitalisierungsstrategi", "digitalisirungstrategi", 2, True),
        ("abc", "abcdef", 2, False),
        ("", "ab", 2, True),
    ],
)
def test_edit_distance(first: str, second: str, limit: int, expected: bool) -> None:
    assert distance_at_most(first, second, limit) is expected
    assert distance_at_most(second, first, limit) is expected


def test_longer_words_are_corrected_from_the_vocabulary() -> None:
    assert close("beteiligungsplatform", VOCABULARY) == ["beteiligungsplattform"]
    assert close("digitalisierungstrategi", VOCABULARY) == ["digitalisierungsstrategi"]


def test_short_words_and_numbers_are_never_corrected() -> None:
    assert close("ki", VOCABULARY | {"it"}) == []
    assert close("202400", {"202401"}) == []


def test_a_query_term_nobody_has_is_widened_by_its_corrections() -> None:
    query = DEFAULT_ANALYZER.analyze_query("Beteiligungsplatform Stadt")
    fixed = corrected(query, VOCABULARY.__contains__, lambda token: VOCABULARY)

    assert not query.matches({"title": sorted(VOCABULARY)})
    assert fixed.matches({"title": sorted(VOCABULARY)})
    assert fixed.terms[1] == query.terms[1]  # "Stadt" is known: left alone


def test_a_known_word_is_not_corrected_into_another() -> None:
    query = DEFAULT_ANALYZER.analyze_query("Senior")
    vocabulary = {"senior", "sensor"}

    assert corrected(query, vocabulary.__contains__, lambda token: vocabulary) == query


def test_the_cost_of_a_check_is_bounded() -> None:
    assert not distance_at_most("a" * 5_000, "b" * 5_000, 2)
