"""The engine's connection settings (app.db.make_engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app.db import (
    SQLITE_CACHE_KIB,
    _statistics_stale,
    ids_value,
    is_sqlite,
    make_engine,
    one_of_ids,
    pool_capacity,
    refresh_statistics,
)
from app.search.models import VorhabenTerm
from app.vorhaben.models import Vorhaben
from tests import factories
from tests.statements import recorded


def test_postgresql_connections_do_not_jit_compile(engine: Engine) -> None:
    # The search's capped counts and the similar-Vorhaben lookups pass jit_above_cost at
    # 100,000 Vorhaben; compiling them cost more than running them (docs/search.md).
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW jit")) == "off"


def test_sqlite_connections_keep_a_small_page_cache(engine: Engine) -> None:
    # Up to 15 connections per worker, each with SQLite's default 2 MiB cache, were about
    # 20 MB of a worker's memory (app.db.SQLITE_CACHE_KIB; docs/operations.md, "Speicher").
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA cache_size")) == -SQLITE_CACHE_KIB


def test_sqlite_statistics_count_as_stale_when_an_index_has_none(fresh_database_url: str) -> None:
    """A search rebuild drops the similar terms' indexes and creates them again: SQLite's
    planner statistics for them were gone, and the table's size alone (unchanged) did not
    tell the maintenance job to measure them again."""
    if not fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite's statistics (PostgreSQL's autovacuum keeps its own)")
    engine = make_engine(fresh_database_url)
    with Session(engine) as db:
        vorhaben = factories.vorhaben(db, factories.account(db), "Baumkataster")
        db.flush()
        db.execute(
            insert(VorhabenTerm),
            [{"term": f"wort{n}", "vorhaben_id": vorhaben.id, "weight": 1} for n in range(1_001)],
        )
        db.commit()
    table = VorhabenTerm.metadata.tables[VorhabenTerm.__tablename__]
    index = next(i for i in table.indexes if i.name == "ix_vorhaben_terms_term_scope")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit=0")  # exact counts, as at scale
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
        assert not _statistics_stale(connection)

        index.drop(connection)
        index.create(connection)
        connection.commit()

        assert _statistics_stale(connection)
        assert refresh_statistics(connection)
        measured = "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_vorhaben_terms_term_scope'"
        assert connection.exec_driver_sql(measured).scalar() == 1

        # A partial index that holds no row never gets statistics: not stale for that.
        connection.exec_driver_sql(
            "CREATE INDEX ix_heavy ON vorhaben_terms (term) WHERE weight > 9"
        )
        connection.exec_driver_sql("PRAGMA analysis_limit=0")
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
        assert not _statistics_stale(connection)
    engine.dispose()


@pytest.mark.parametrize("count", [0, 1, 3, 600])
def test_one_of_ids_finds_exactly_the_ids_given(db: Session, count: int) -> None:
    """Ids bound as one parameter (a JSON array on SQLite, an array on PostgreSQL) select
    the same rows an IN list would, whatever their number and order."""
    author = factories.account(db)
    made = [factories.vorhaben(db, author, f"Vorhaben {n}").id for n in range(4)]
    sqlite = is_sqlite(db.connection())
    wanted = [made[2], made[0], 10**9][: min(count, 3)] + list(range(10**9, 10**9 + count - 3))
    statement = select(Vorhaben.id).where(one_of_ids(Vorhaben.id, "ids", sqlite=sqlite))
    with recorded(db.get_bind().engine) as sent:
        found = db.scalars(statement, {"ids": ids_value(wanted, sqlite=sqlite)}).all()
    assert sorted(found) == sorted(set(wanted) & set(made))
    # One parameter, however many ids (an IN list with one each was rendered every time).
    _statement, parameters = sent[-1]
    assert len(parameters) == 1


def test_pool_capacity_is_size_and_overflow(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert pool_capacity(engine) == (15 if database_url.startswith("sqlite") else 20)
    finally:
        engine.dispose()


def test_a_pool_without_bound_has_no_capacity(tmp_path: Path) -> None:
    unbounded = create_engine(f"sqlite:///{tmp_path / 'a.db'}", max_overflow=-1)
    per_thread = create_engine("sqlite://")  # in memory: a connection per thread
    try:
        assert isinstance(unbounded.pool, QueuePool)
        assert pool_capacity(unbounded) is None
        assert pool_capacity(per_thread) is None
    finally:
        unbounded.dispose()
        per_thread.dispose()
