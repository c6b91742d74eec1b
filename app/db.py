"""Engine, session factory, declarative base and the SQLite transaction recipe."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Enum,
    Integer,
    MetaData,
    Select,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from app.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.core.clock.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy's API


def str_enum(kind: type[enum.StrEnum], name: str, *, length: int = 20) -> Enum:
    """A Python StrEnum stored as its values in a plain string column (no native enum type:
    adding a member needs no migration on PostgreSQL)."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


# Each SQLite connection's own page cache, in KiB (SQLite's default is 2,048). A worker's
# pool holds up to 15 connections, and at the default their caches were about 20 MB of each
# worker's memory under bench/traffic.py's mix. They buy little for pages: in WAL mode a
# connection discards its whole cache whenever another one has committed, and the operating
# system caches the file for all of them (replaying 600 page statements took the same time
# at 2,048 and 256 KiB). The export feed's walk over large items needs more: at 256 KiB its
# empty poll and full sync were slower and noisier (bench/export.py, interleaved runs), at
# 1,024 KiB as at the default. 1,024 KiB: about 10 MB less per worker (docs/operations.md,
# "Speicher").
SQLITE_CACHE_KIB = 1024


def _install_sqlite_recipe(engine: Engine) -> None:
    # pysqlite's own transaction handling begins transactions lazily and as DEFERRED, which
    # silently lost concurrent read-then-write updates in our measurements. We switch the
    # driver to autocommit and emit BEGIN ourselves: IMMEDIATE (take the write lock up front)
    # unless a session asked for a read-only DEFERRED transaction.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> Engine:
    """Create the process's engine for a SQLite or PostgreSQL URL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, echo=echo, connect_args=connect_args)
        _install_sqlite_recipe(engine)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 5,
            "application_name": "allmende",
            # No JIT: the search's capped counts pass jit_above_cost from ~10,000 Vorhaben
            # on, and compiling them took longer than running them (70 ms of 150 ms at
            # 10,000 Vorhaben, ~400 ms at 100,000; docs/search.md).
            "options": "-c jit=off",
        },
    )


def pool_capacity(engine: Engine) -> int | None:
    """How many connections the engine's pool hands out at once, at most (a QueuePool: its
    size and overflow); None where that has no fixed bound."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    overflow = pool._max_overflow  # no public accessor; -1 means unbounded
    return None if overflow < 0 else pool.size() + overflow


def insert_for(db: Session, model: Any) -> Any:
    """An INSERT of the session's dialect, so that it can say ON CONFLICT (SQLite and
    PostgreSQL spell it alike, from different modules)."""
    module = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def engine_from_settings(settings: Settings) -> Engine:
    """The engine for the configured database."""
    return make_engine(settings.database_url)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (pages render after the commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def read_only(session: Session) -> Session:
    """Let the session's next transactions read only: on SQLite they begin DEFERRED, so
    they take no lock and never wait for a writer (WAL)."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        base = getattr(bind, "_proxied", bind)
        # Made once per engine: deriving one costs a few per cent of a small page.
        deferred = base.__dict__.get(_READ_ONLY)
        if deferred is None:
            deferred = base.__dict__[_READ_ONLY] = base.execution_options(sqlite_begin="DEFERRED")
        session.bind = deferred
    return session


def writable(session: Session) -> Session:
    """Let the session's next transactions write: on SQLite they begin IMMEDIATE, taking
    the database's write lock with their first statement (no lost updates)."""
    bind = session.get_bind()
    if isinstance(bind, Engine):
        session.bind = getattr(bind, "_proxied", bind)
    return session


@contextmanager
def separate_write(session: Session) -> Iterator[Session]:
    """A short write transaction of its own on the session (its connection, its thread),
    committed at the end of the block: for a write a reading request must make (a
    session's activity, a rate counter). What the session read so far ends first, so on
    SQLite the write lock is held only around the block's own statements."""
    bind = session.bind
    session.commit()
    writable(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.bind = bind


_READ_ONLY = "_allmende_read_only"  # the engine's derived read-only engine (SQLite)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for the CLI and the worker: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_sqlite(connection: Connection) -> bool:
    """Whether the connection is SQLite's (the embedded default) rather than PostgreSQL's."""
    return connection.dialect.name == "sqlite"


def one_of_ids(column: Any, name: str, *, sqlite: bool) -> ColumnElement[bool]:
    """`column` is one of the integers bound to `name` as a single parameter (give it
    ids_value()): SQLite reads them from a JSON array, PostgreSQL from an array. An IN with
    one parameter per id is rendered again for every execution, which cost a search more
    than the lookup of its 500 candidates' rows itself."""
    if sqlite:
        values: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam(name, type_=String))
        )
        inside: ColumnElement[bool] = column.in_(values.scalar_subquery())
        return inside
    equal: ColumnElement[bool] = column == any_(bindparam(name, type_=postgresql.ARRAY(Integer)))
    return equal


def ids_value(ids: Iterable[int], *, sqlite: bool) -> Any:
    """The value of a parameter that one_of_ids() reads."""
    return json.dumps(list(ids)) if sqlite else list(ids)


# The tables whose size steers SQLite's query plans (which index, which join order).
STATISTICS_TABLES = ("vorhaben", "comments", "search_entries", "vorhaben_terms", "accounts")


def refresh_statistics(connection: Connection, *, force: bool = False) -> bool:
    """SQLite: refresh the planner's statistics (a bounded ANALYZE) when they are missing or a
    large table has grown or shrunk by a quarter since; returns whether it ran. PostgreSQL's
    autovacuum keeps its own statistics."""
    if not is_sqlite(connection):
        return False
    if not force and not _statistics_stale(connection):
        return False
    connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    connection.exec_driver_sql("ANALYZE")
    return True


def _statistics_stale(connection: Connection) -> bool:
    known = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if known is None:
        return True
    for table in STATISTICS_TABLES:
        stats = connection.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = ?", (table,)
        ).scalars()
        recorded = max((int(stat.split()[0]) for stat in stats), default=0)
        current = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one()  # noqa: S608 - fixed names
        if current > max(1000, recorded * 1.25) or (recorded > 1000 and current < recorded * 0.8):
            return True
        if current > 1000 and _unmeasured_index(connection, table):
            return True
    return False


def _unmeasured_index(connection: Connection, table: str) -> bool:
    """Whether an index of the table (one of STATISTICS_TABLES, fixed names) has no
    statistics: one created after the last ANALYZE (a search rebuild drops and creates
    those of vorhaben_terms) would otherwise go without them until the table's size
    changed by a quarter."""
    # Partial indexes left out: one that holds no row gets no statistics, ever.
    indexes = {
        row.name
        for row in connection.exec_driver_sql(f'PRAGMA index_list("{table}")')
        if not row.partial
    }
    measured = set(
        connection.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = ?", (table,)).scalars()
    )
    return bool(indexes - measured)
