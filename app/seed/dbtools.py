"""Database-specific parts of the bulk load: ids, search index machinery, sequences.

The search index's statements are app.search.bulk's, which the migration that creates
them uses too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from app.db import Base, is_sqlite, refresh_statistics
from app.search import bulk

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
    """Drop the per-row search machinery (FTS5 triggers, GIN indexes) for the load."""
    bulk.suspend(connection)


def restore_search_index(connection: Connection) -> None:
    """Recreate what suspend_search_index() dropped and index every row."""
    bulk.restore(connection)


def checkpoint(connection: Connection) -> None:
    """SQLite: copy the WAL into the database file and empty it (outside a transaction)."""
    bulk.checkpoint(connection)


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
