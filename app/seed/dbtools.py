"""Database-specific parts of the bulk load: ids, search index machinery, sequences.

The trigger and index statements are copies of the exchange migration's
(migrations/versions/2026-11-22-0045_exchange.py); they must stay identical.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from app.db import Base, refresh_statistics

SQLITE_TRIGGERS = (
    (
        "search_fts_insert",
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
        "INSERT INTO search_fts(rowid, title, content) "
        "VALUES (new.id, new.title, new.content); END",
    ),
    (
        "search_fts_delete",
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, content) "
        "VALUES ('delete', old.id, old.title, old.content); END",
    ),
    (
        "search_fts_update",
        "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, content) "
        "VALUES ('delete', old.id, old.title, old.content); "
        "INSERT INTO search_fts(rowid, title, content) "
        "VALUES (new.id, new.title, new.content); END",
    ),
)
POSTGRES_INDEXES = (
    (
        "ix_search_entries_title_trgm",
        "CREATE INDEX ix_search_entries_title_trgm ON search_entries "
        "USING gin (title gin_trgm_ops)",
    ),
    (
        "ix_search_entries_content_trgm",
        "CREATE INDEX ix_search_entries_content_trgm ON search_entries "
        "USING gin (content gin_trgm_ops)",
    ),
)
# FTS5 settings (stored in the index) for the bulk load, and its defaults to return to.
FTS_BULK = {"automerge": 0, "crisismerge": 2000, "hashsize": 256 * 2**20}
FTS_DEFAULTS = {"automerge": 4, "crisismerge": 16, "hashsize": 2**20}
FTS_CHUNK = 100_000
# Tables whose ids the seed allocates itself.
ID_TABLES = (
    "accounts",
    "identities",
    "vorhaben",
    "vorhaben_versions",
    "vorhaben_stage_changes",
    "signals",
    "comments",
    "search_entries",
)


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def is_sqlite(connection: Connection) -> bool:
    return connection.dialect.name == "sqlite"


def tune(connection: Connection) -> None:
    """Settings of this connection only that make a bulk load faster."""
    if is_sqlite(connection):
        connection.exec_driver_sql("PRAGMA cache_size=-524288")  # 512 MiB of page cache
    else:
        connection.exec_driver_sql("SET synchronous_commit TO off")
    connection.commit()


def max_ids(connection: Connection) -> dict[str, int]:
    """The highest id of each table the seed adds to (0 when empty)."""
    found: dict[str, int] = {}
    for name in ID_TABLES:
        found[name] = int(connection.scalar(select(func.max(table(name).c.id))) or 0)
    return found


def write(connection: Connection, *groups: tuple[str, list[dict[str, Any]]]) -> None:
    """Insert the rows of each table, in the order given, and commit."""
    for name, rows in groups:
        if rows:
            connection.execute(insert(table(name)), rows)
    connection.commit()


def suspend_search_index(connection: Connection) -> None:
    """Drop the per-row search machinery (FTS5 triggers, pg_trgm indexes) for the load."""
    names = SQLITE_TRIGGERS if is_sqlite(connection) else POSTGRES_INDEXES
    kind = "TRIGGER" if is_sqlite(connection) else "INDEX"
    for name, _sql in names:
        connection.exec_driver_sql(f"DROP {kind} IF EXISTS {name}")
    connection.commit()


def restore_search_index(connection: Connection) -> None:
    """Recreate what suspend_search_index() dropped and index every row."""
    if is_sqlite(connection):
        _fill_fts(connection)
        for name, sql in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            connection.exec_driver_sql(sql)
    else:
        connection.exec_driver_sql("SET maintenance_work_mem TO '1GB'")
        for name, sql in POSTGRES_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
            connection.exec_driver_sql(sql)
        connection.exec_driver_sql("RESET maintenance_work_mem")
    connection.commit()


def _fill_fts(connection: Connection) -> None:
    """Index all search entries in FTS5 in chunks, each its own transaction, without the
    merges FTS5 does while writing; merge once at the end and restore its defaults. One
    'rebuild' over a million entries, merging as it went, ran for more than half an hour;
    this takes about two minutes.
    """

    def configure(values: dict[str, int]) -> None:
        for key, value in values.items():  # fixed keys and integers only
            connection.exec_driver_sql(
                f"INSERT INTO search_fts(search_fts, rank) VALUES('{key}', {int(value)})"
            )

    configure(FTS_BULK)
    connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
    connection.commit()
    last = int(connection.scalar(text("SELECT coalesce(max(id), 0) FROM search_entries")) or 0)
    for first in range(0, last, FTS_CHUNK):
        connection.execute(
            text(
                "INSERT INTO search_fts(rowid, title, content) SELECT id, title, content "
                "FROM search_entries WHERE id > :first AND id <= :last"
            ),
            {"first": first, "last": first + FTS_CHUNK},
        )
        connection.commit()
    # Merge the segments into one now: left alone, the next ordinary write would merge them
    # (51 s for a comment at a million entries). Move the load out of the WAL first; the
    # merge reading through a WAL of a gigabyte took many minutes instead of half a minute.
    checkpoint(connection)
    connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('optimize')")
    configure(FTS_DEFAULTS)
    connection.commit()
    checkpoint(connection)


def checkpoint(connection: Connection) -> None:
    """SQLite: copy the WAL into the database file and empty it (outside a transaction)."""
    connection.commit()
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]


def finish(connection: Connection) -> None:
    """Refresh the planner statistics; PostgreSQL: move the id sequences past the explicit
    ids (a SQLite rowid table continues after its largest id by itself)."""
    if is_sqlite(connection):
        refresh_statistics(connection, force=True)
        connection.commit()
        return
    for name in ID_TABLES:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
        )
    connection.commit()
    # VACUUM as well: it sets the visibility map, so the term and search lookups can answer
    # from their indexes alone. It cannot run inside a transaction.
    with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as outside:
        outside.exec_driver_sql("VACUUM ANALYZE")
