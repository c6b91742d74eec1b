"""The relevance set: German queries over a fixed corpus of Vorhaben, with the results a
good search shows in its first five.

Today it is checked with the reference ranker (tests/search/relevance/ranker.py, BM25F
over the analyzer's tokens); the database search will be pointed at the same set.

Why mean precision@5 ≥ 0.95: the reference ranker reaches 0.975. The set deliberately
keeps a few documents no word-based search can reach (a "Stadtbus" under "ÖPNV", a
"Breitband" Vorhaben without "Ausbau"), so 1.0 is out of reach; 0.95 allows one or two
queries to lose one place, while each of the analyzer's parts is worth more than that:
without compound splitting the mean drops to 0.88, without synonyms to 0.91.
"""

from __future__ import annotations

import json

import pytest

from app.search.analyzer import DEFAULT_ANALYZER
from tests.search.relevance.ranker import HERE, Ranker, load_corpus, load_queries, precision_at

MEAN_PRECISION = 0.95
LEAST_PRECISION = 0.5
# The examples of issue 18: each must put a relevant Vorhaben first.
ISSUE_EXAMPLES = [
    "KI",
    "IT",
    "5G",
    "EU",
    "Schulen",
    "Muell",
    "OZG",
    "Bürgerbeteiligung",
    "Beteiligungsplattform",
]


@pytest.fixture(scope="module")
def ranker() -> Ranker:
    return Ranker(DEFAULT_ANALYZER, load_corpus())


def test_the_set_is_well_formed() -> None:
    raw = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))
    ids = [item["id"] for item in raw]
    queries = load_queries()

    assert 150 <= len(raw) <= 300
    assert len(set(ids)) == len(ids)
    assert all(item["title"] and item["summary"] and item["description"] for item in raw)
    assert len(queries) >= 40
    assert len({query for query, _ in queries}) == len(queries)
    assert all(relevant and relevant <= set(ids) for _, relevant in queries)
    assert set(ISSUE_EXAMPLES) <= {query for query, _ in queries}
    syntax = [query for query, _ in queries]
    assert any(query.startswith('"') for query in syntax)
    assert any(" -" in query for query in syntax)


def test_precision_at_five_over_the_query_set(ranker: Ranker) -> None:
    scores = {
        query: precision_at(ranker.search(query), relevant) for query, relevant in load_queries()
    }
    weakest = sorted(scores.items(), key=lambda item: item[1])[:5]

    assert sum(scores.values()) / len(scores) >= MEAN_PRECISION, weakest
    assert min(scores.values()) >= LEAST_PRECISION, weakest


@pytest.mark.parametrize("query", ISSUE_EXAMPLES)
def test_the_issue_examples_put_a_relevant_vorhaben_first(ranker: Ranker, query: str) -> None:
    relevant = dict(load_queries())[query]
    found = ranker.search(query)

    assert found and found[0] in relevant, found


def test_an_excluded_word_removes_every_vorhaben_that_has_it(ranker: Ranker) -> None:
    with_parking = set(ranker.search("Sensoren", limit=50))
    without = set(ranker.search("Sensoren -Parken", limit=50))

    assert {36, 47, 112} <= with_parking  # Parkleitsystem, Parkplätze
    assert without == with_parking - {36, 47, 112}
