"""PostgreSQL's narrow tables of the Vorhaben entries (app.search.narrow): the own-text tier
and its count read the vectors from `search_own` (migration 0037: "OZG" 108 -> 7 ms at
100,000 Vorhaben), the title tier for one word the titles from `search_titles` (0036,
test_title_tier.py); triggers keep both equal to the entries, a bulk rebuild fills them."""

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


def search_recorded(db: Session, text: str) -> tuple[list[str], list[int], int]:
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


@pytest.mark.usefixtures("postgres")
def test_the_own_text_tier_and_its_count_read_the_narrow_table(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    described = [
        factories.vorhaben(db, author, f"Rathaus {n}", description="Das Onlinezugangsgesetz")
        for n in range(7)
    ]
    factories.vorhaben(db, author, "Tablets", description="Für die Schule")

    statements, found, total = search_recorded(db, "Onlinezugangsgesetz")

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

    statements, found, _total = search_recorded(db, "Schule -Tablets")

    # The tiers of Vorhaben entries leave the word out in their match: no subquery (over
    # `search_own` the planner unpacked every out-of-line vector for a common word, 325 ms).
    own = [statement for statement in statements if "FROM search_own" in statement]
    assert own
    assert not any("NOT IN" in statement for statement in own)
    assert set(found) == {kept.id, commented.id}
    assert dropped.id not in found


def _follow(db: Session, vorhaben_id: int) -> dict[str, tuple[str, str]]:
    """Each narrow table's one row of the Vorhaben, checked against its entry."""
    found = {}
    for spec in bulk.NARROW:
        rows = narrow_rows(db, spec.table, vorhaben_id)
        assert rows == [entry_row(db, spec.table, vorhaben_id)], spec.table
        found[spec.table] = rows[0]
    return found


@pytest.mark.usefixtures("postgres")
def test_the_narrow_tables_follow_every_write_of_the_entries(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Die digitale Schule", description="Tablets")
    factories.comment(db, author, vorhaben, "Schule ohne Kreide")  # no rows of its own
    db.flush()
    rows = _follow(db, vorhaben.id)
    assert rows["search_titles"] == ("members", "'digital':1 'schul':2 'x0gap0x':3")
    assert "'tabl':4C" in rows["search_own"][1]

    vorhaben.title = "Das Rathaus"
    vorhaben.description = "Glasfaser im Keller"
    db.flush()
    index.index_vorhaben(db, vorhaben, [])
    index.update_scope(db, vorhaben.id, "municipality")
    db.flush()
    rows = _follow(db, vorhaben.id)
    assert {scope for scope, _vector in rows.values()} == {"municipality"}
    assert "'rathaus'" in rows["search_titles"][1]
    assert "schul" not in rows["search_titles"][1]
    assert "'glasfas" in rows["search_own"][1]
    assert "tabl" not in rows["search_own"][1]

    db.delete(vorhaben)
    db.flush()
    assert all(narrow_rows(db, spec.table, vorhaben.id) == [] for spec in bulk.NARROW)


@pytest.mark.usefixtures("postgres")
def test_a_bulk_rebuild_fills_the_narrow_tables_again(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Rathaus", description="Das Onlinezugangsgesetz")
    db.flush()
    connection = db.connection()
    before = _follow(db, vorhaben.id)

    bulk.suspend(connection, commit=False)
    for spec in bulk.NARROW:
        connection.exec_driver_sql(f"DELETE FROM {spec.table}")  # noqa: S608
    bulk.restore(connection, commit=False)

    assert _follow(db, vorhaben.id) == before
    _, found, _total = search_recorded(db, "Onlinezugangsgesetz")
    assert found == [vorhaben.id]
    _, found, _total = search_recorded(db, "Rathaus")
    assert found == [vorhaben.id]
