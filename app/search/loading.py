"""Writing the rows of a search rebuild (app.search.bulk) as fast as each database takes
them. PostgreSQL by COPY: psycopg's executemany sends a statement per row in a pipeline,
and at 1.1 million entries and 7.9 million similar-Vorhaben terms the rebuild's writing
process waited on it while the analyzing workers (app.search.parallel) idled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text

from app.db import is_sqlite
from app.search import parallel
from app.search.index import TOKEN_COLUMNS

# The entries' statements, their token columns from index.TOKEN_COLUMNS (constants: no
# value is put into them).
_SQLITE_UPDATE = text(
    "UPDATE search_entries SET "  # noqa: S608
    + ", ".join(f"{name} = :{name}" for name in TOKEN_COLUMNS)
    + " WHERE kind = :kind AND ref_id = :ref_id"
)
_TEMPORARY = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS reindexed (kind text, ref_id integer, "
    + ", ".join(f"{name} text" for name in TOKEN_COLUMNS)
    + ") ON COMMIT DELETE ROWS"
)
_COPY_ENTRIES = f"COPY reindexed (kind, ref_id, {', '.join(TOKEN_COLUMNS)}) FROM STDIN"
_UPDATE_FROM = (
    "UPDATE search_entries e SET "  # noqa: S608
    + ", ".join(f"{name} = r.{name}" for name in TOKEN_COLUMNS)
    + " FROM reindexed r WHERE e.kind = r.kind AND e.ref_id = r.ref_id"
)


def insert_terms(connection: Connection, rows: list[parallel.TermRow]) -> None:
    """Insert similar-Vorhaben terms as fast as the database takes them: PostgreSQL by COPY
    (an executemany sent ~8 million rows one statement each, and the rebuild waited on
    the driver), SQLite by the driver's executemany of plain tuples."""
    if is_sqlite(connection):
        connection.exec_driver_sql(
            "INSERT INTO vorhaben_terms (term, vorhaben_id, weight, scope) VALUES (?, ?, ?, ?)",
            rows,
        )
        return
    _copy(connection, "COPY vorhaben_terms (term, vorhaben_id, weight, scope) FROM STDIN", rows)


def update_entries(connection: Connection, rows: list[dict[str, object]]) -> None:
    """Write entries' token columns (rows of kind, ref_id and the columns): PostgreSQL by
    COPY into a temporary table and one UPDATE from it (an executemany sent one UPDATE per
    entry, 1.1 million of them), SQLite by an executemany of the UPDATE."""
    if is_sqlite(connection):
        connection.execute(_SQLITE_UPDATE, rows)
        return
    connection.exec_driver_sql(_TEMPORARY)
    _copy(
        connection,
        _COPY_ENTRIES,
        ([row["kind"], row["ref_id"], *(row[name] for name in TOKEN_COLUMNS)] for row in rows),
    )
    connection.exec_driver_sql(_UPDATE_FROM)
    connection.exec_driver_sql("DELETE FROM reindexed")


def _copy(connection: Connection, statement: str, rows: Iterable[Sequence[object]]) -> None:
    """PostgreSQL: the rows into a table by COPY, on the connection's own transaction."""
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def finish(connection: Connection) -> None:
    """Drop what update_entries() made for the rebuild (the connection goes back to the
    pool)."""
    if not is_sqlite(connection):
        connection.exec_driver_sql("DROP TABLE IF EXISTS reindexed")
