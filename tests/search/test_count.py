"""The number of hits: exact up to query.LIMIT, "more than" beyond; own text and comments
count a Vorhaben once (small limits stand in for 500 candidates and 1,000 hits)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.search import query
from app.vorhaben.repository import VorhabenFilter
from tests import factories


@pytest.fixture(autouse=True)
def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "CANDIDATES", 2)
    monkeypatch.setattr(query, "LIMIT", 3)


@pytest.mark.parametrize(
    ("own", "commented", "total", "more"),
    [(5, 0, 3, True), (2, 2, 3, True), (1, 2, 3, False), (2, 1, 3, False), (0, 4, 3, True)],
)
def test_hits_are_counted_up_to_the_limit(
    db: Session, own: int, commented: int, total: int, more: bool
) -> None:
    author = factories.account(db, "Paul Pegel")
    for number in range(own):
        factories.vorhaben(db, author, f"Pegelmessung {number}")
    for number in range(commented):
        vorhaben = factories.vorhaben(db, author, f"Hochwasser {number}")
        factories.comment(db, author, vorhaben, "Wo steht der Pegel?")
        factories.comment(db, author, vorhaben, "Der Pegel steigt.")
    reader = factories.account(db, "Rita Reader")

    result = query.search(db, reader, "Pegel", VorhabenFilter())

    assert (result.total, result.more) == (total, more)
