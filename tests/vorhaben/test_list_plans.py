"""The list filtered by stage walks an index in its order (migration 0034): at 100,000
Vorhaben SQLite chose the stage index and sorted every Vorhaben of that stage for each page
(53 ms of a request, bench/traffic.py's filtered lists). The plan is read from SQLite with
EXPLAIN QUERY PLAN for the statement the list really runs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.vorhaben.repository import VorhabenFilter, list_vorhaben
from tests import factories


def _plan(db: Session, sort: str, filters: VorhabenFilter) -> list[str]:
    seen: list[tuple[str, Any]] = []
    connection = db.connection()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM vorhaben" in statement and "ORDER BY vorhaben." in statement:
            seen.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        reader = factories.account(db)
        list_vorhaben(db, reader, filters, sort=sort)
    finally:
        event.remove(connection, "before_cursor_execute", record)
    [(statement, parameters)] = seen
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    # The outer query's steps (parent 0); the subqueries of the visibility rule have theirs.
    return [str(row[3]) for row in rows if row[1] == 0]


@pytest.mark.parametrize("sort", ["activity", "newest"])
def test_the_stage_filter_reads_vorhaben_in_list_order(db: Session, sort: str) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's planner; PostgreSQL chose the ordered index already")
    steps = _plan(db, sort, VorhabenFilter(stage="konzept"))
    column = "last_activity_at" if sort == "activity" else "created_at"
    assert any(f"ix_vorhaben_stage_{column}_id (stage=?)" in step for step in steps), steps
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in steps), steps
