"""The relevance set against the real search, on each database.

The corpus (tests/search/relevance/corpus.json) is created through the Vorhaben service,
so the index is written as in production; every query of queries.json then runs through
app.search.query.search as a member who sees all of it. The same bars as the reference
ranker's (test_relevance.py): mean precision@5 ≥ 0.95, each query ≥ 0.5, a relevant
Vorhaben first for each example of issue 18, and an excluded word removes what has it.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.search import query
from app.vorhaben.models import FieldOfAction
from app.vorhaben.repository import VorhabenFilter
from tests import factories
from tests.search.relevance.ranker import HERE, load_queries, precision_at
from tests.search.test_relevance import ISSUE_EXAMPLES, LEAST_PRECISION, MEAN_PRECISION


def _load_corpus(db: Session) -> dict[int, int]:
    """Create the corpus in id order; returns corpus id by database id."""
    author = factories.account(db, "Korpus Autorin")
    slugs = {
        label: slug for slug, label in db.execute(select(FieldOfAction.slug, FieldOfAction.label))
    }
    corpus_of: dict[int, int] = {}
    for item in sorted(
        json.loads((HERE / "corpus.json").read_text(encoding="utf-8")), key=lambda x: x["id"]
    ):
        created = factories.vorhaben(
            db,
            author,
            item["title"],
            summary=item["summary"],
            description=item["description"],
            stage=item["stage"],
            tags=", ".join(item["tags"]),
            fields=[slugs[label] for label in item["fields_of_action"]],
        )
        corpus_of[created.id] = int(item["id"])
    return corpus_of


def test_the_relevance_set_passes_on_the_database(db: Session) -> None:
    corpus_of = _load_corpus(db)
    reader = factories.account(db, "Rita Reader")

    def found(text: str, limit: int = 5) -> list[int]:
        result = query.search(db, reader, text, VorhabenFilter(), per_page=limit)
        return [corpus_of[card.id] for card in result.vorhaben]

    queries = load_queries()
    scores = {text: precision_at(found(text), relevant) for text, relevant in queries}
    weakest = sorted(scores.items(), key=lambda item: item[1])[:5]
    assert sum(scores.values()) / len(scores) >= MEAN_PRECISION, weakest
    assert min(scores.values()) >= LEAST_PRECISION, weakest

    relevant_of = dict(queries)
    for text in ISSUE_EXAMPLES:
        first = found(text, 1)
        assert first and first[0] in relevant_of[text], (text, first)

    with_parking = set(found("Sensoren", 50))
    without = set(found("Sensoren -Parken", 50))
    assert {36, 47, 112} <= with_parking  # Parkleitsystem, Parkplätze
    assert without == with_parking - {36, 47, 112}
