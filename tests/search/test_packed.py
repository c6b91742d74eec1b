"""SQLite's candidate lookups and the tokens' read come back as one row (a JSON array), so
the driver hands the interpreter lock over once per statement instead of once per row; the
candidates keep their order (newest first within a tier) and the search its hits."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.search import query
from app.vorhaben.repository import VorhabenFilter
from tests import factories
from tests.statements import recorded


def test_only_the_newest_candidates_are_ranked(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "CANDIDATES", 3)
    author = factories.account(db, "Paul Pegel")
    made = [factories.vorhaben(db, author, f"Pegelmessung {n}").id for n in range(7)]
    reader = factories.account(db, "Rita Reader")

    result = query.search(db, reader, "Pegelmessung", VorhabenFilter())

    assert sorted(card.id for card in result.vorhaben) == sorted(made[-3:])
    assert result.more is False and result.total == 7


def test_packed_rows_are_ordered_again_whatever_order_the_aggregate_gives(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite does not promise json_group_array() the subquery's order. The own-text tier
    asks for as many more rows as the title tier found (they come again) and keeps the
    first that fit: served in reverse, the newest must still be the ones kept."""
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite's rows come packed")
    monkeypatch.setattr(query, "CANDIDATES", 3)
    rows = query._rows
    monkeypatch.setattr(query, "_rows", lambda result, sqlite: rows(result, sqlite)[::-1])
    author = factories.account(db, "Paul Pegel")
    titled = factories.vorhaben(db, author, "Pegelmessung am Fluss").id
    summed = [
        factories.vorhaben(db, author, f"Hochwasser {n}", summary="Mit Pegelmessung").id
        for n in range(6)
    ]
    reader = factories.account(db, "Rita Reader")

    result = query.search(db, reader, "Pegelmessung", VorhabenFilter())

    assert sorted(card.id for card in result.vorhaben) == sorted([titled, *summed[-2:]])


def test_sqlite_reads_a_searchs_rows_packed(db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's driver; PostgreSQL's reads a result at once")
    author = factories.account(db, "Paul Pegel")
    for number in range(5):
        vorhaben = factories.vorhaben(db, author, f"Pegelmessung {number}")
        factories.comment(db, author, vorhaben, "Wo steht der Pegel?")
    reader = factories.account(db, "Rita Reader")
    with recorded(db.get_bind().engine) as sent:
        result = query.search(db, reader, "Pegel", VorhabenFilter())

    assert len(result.vorhaben) == 5
    many = [
        statement
        for statement, _parameters in sent
        if "ORDER BY search_fts.rowid DESC" in statement or "tokens_d" in statement
    ]
    assert many, "the tiers and the tokens' read ran"
    assert all(statement.startswith("SELECT json_group_array(") for statement in many)
