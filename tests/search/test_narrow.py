"""PostgreSQL's own-text tier and its count read the Vorhaben
entries' vectors from the narrow `search_own` (migration 0037: "OZG" 103 ms from the wide
`search_entries` at 100,000 Vorhaben), which a trigger keeps equal to the entries' own
vectors. The title tier's table is tested in test_title_tier.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.search import bulk, index, query
from app.search.analyzer import DEFAULT_ANALYZER
from app.vorhaben.repository import VorhabenFilter
from tests import factories

T = TypeVar("T")


@pytest.fixture
def postgres(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("search_own is PostgreSQL's; SQLite's FTS5 reads the columns apart")


def _recorded(db: Session, run: Callable[[], T]) -> tuple[list[str], T]:
    """What run() returned, and the statements it ran."""
    seen: list[str] = []
    connection = db.connection()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        return seen, run()
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _search(db: Session, text: str) -> tuple[list[str], list[int], int]:
    """The statements a search ran, the Vorhaben found and their count."""
    reader = factories.account(db, "Rita Reader")
    seen, result = _recorded(
        db, lambda: query.search(db, reader, text, VorhabenFilter(), per_page=5)
    )
    return seen, [card.id for card in result.vorhaben], result.total


def narrow_rows(db: Session, narrow: str, vorhaben_id: int) -> list[tuple[str, str]]:
    """A narrow table's rows of a Vorhaben: its scope and its vector (app.search.bulk.NARROW
    names the table's vector column)."""
    spec = next(spec for spec in bulk.NARROW if spec.table == narrow)
    rows = db.execute(
        text(f"SELECT scope, {spec.column}::text FROM {spec.table} WHERE vorhaben_id = :id"),  # noqa: S608
        {"id": vorhaben_id},
    )
    return [(str(scope), str(vector)) for scope, vector in rows]


def entry_row(db: Session, narrow: str, vorhaben_id: int) -> tuple[str, str]:
    """What the narrow table must hold for the Vorhaben's entry: its scope and the vector
    made from it as the table's fill does."""
    spec = next(spec for spec in bulk.NARROW if spec.table == narrow)
    row = db.execute(
        text(
            f"SELECT scope, ({spec.expression})::text FROM search_entries "  # noqa: S608
            "WHERE kind = 'vorhaben' AND ref_id = :id"
        ),
        {"id": vorhaben_id},
    ).one()
    return str(row[0]), str(row[1])


def _own(db: Session, vorhaben_id: int) -> list[tuple[str, str]]:
    return narrow_rows(db, "search_own", vorhaben_id)


def _entry(db: Session, vorhaben_id: int) -> tuple[str, str]:
    return entry_row(db, "search_own", vorhaben_id)


@pytest.mark.usefixtures("postgres")
def test_the_own_text_tier_and_its_count_read_the_narrow_table(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    described = [
        factories.vorhaben(db, author, f"Rathaus {n}", description="Das Onlinezugangsgesetz")
        for n in range(7)
    ]
    factories.vorhaben(db, author, "Tablets", description="Für die Schule")

    statements, found, total = _search(db, "Onlinezugangsgesetz")

    assert len([statement for statement in statements if "FROM search_own" in statement]) == 1
    assert found == [vorhaben.id for vorhaben in reversed(described)][:5]
    assert total == 7
    # The count (run when a tier was full: more than 500 candidates) reads it too.
    reader = factories.account(db, "Rita Reader")
    analyzed = DEFAULT_ANALYZER.analyze_query("Onlinezugangsgesetz")
    counted = _recorded(db, lambda: query._count(db, reader, analyzed, VorhabenFilter()))
    assert counted[1] == 7
    assert "FROM search_own" in counted[0][0]


@pytest.mark.usefixtures("postgres")
def test_an_excluded_word_drops_a_vorhaben_by_its_own_text(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    kept = factories.vorhaben(db, author, "Schule am Fluss")
    dropped = factories.vorhaben(db, author, "Schule", description="Tablets für alle")
    commented = factories.vorhaben(db, author, "Schule am See")
    factories.comment(db, author, commented, "Wir nehmen Tablets")  # a comment does not count

    statements, found, _total = _search(db, "Schule -Tablets")

    # The tiers of Vorhaben entries leave the word out in their match: no subquery (over
    # `search_own` the planner unpacked every out-of-line vector for a common word, 325 ms).
    own = [statement for statement in statements if "FROM search_own" in statement]
    assert own
    assert not any("NOT IN" in statement for statement in own)
    assert set(found) == {kept.id, commented.id}
    assert dropped.id not in found


@pytest.mark.usefixtures("postgres")
def test_the_narrow_table_follows_every_write_of_the_entries(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Die digitale Schule", description="Tablets")
    factories.comment(db, author, vorhaben, "Schule ohne Kreide")  # no row of its own
    db.flush()
    assert _own(db, vorhaben.id) == [_entry(db, vorhaben.id)]
    assert "'tabl':3C" in _own(db, vorhaben.id)[0][1]

    vorhaben.description = "Glasfaser im Rathaus"
    db.flush()
    index.index_vorhaben(db, vorhaben, [])
    index.update_scope(db, vorhaben.id, "municipality")
    db.flush()
    assert _own(db, vorhaben.id) == [_entry(db, vorhaben.id)]
    scope, own = _own(db, vorhaben.id)[0]
    assert scope == "municipality"
    assert "'glasfas" in own
    assert "tabl" not in own

    db.delete(vorhaben)
    db.flush()
    assert _own(db, vorhaben.id) == []


@pytest.mark.usefixtures("postgres")
def test_a_bulk_rebuild_fills_the_narrow_table_again(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Rathaus", description="Das Onlinezugangsgesetz")
    db.flush()
    connection = db.connection()
    before = _own(db, vorhaben.id)

    bulk.suspend(connection, commit=False)
    connection.exec_driver_sql("DELETE FROM search_own")
    bulk.restore(connection, commit=False)

    assert _own(db, vorhaben.id) == before == [_entry(db, vorhaben.id)]
    _, found, _total = _search(db, "Onlinezugangsgesetz")
    assert found == [vorhaben.id]
