"""The database-specific structures of the search index, and building them in bulk.

SQLite: an FTS5 table `search_fts` over the four token columns of `search_entries`
(external content, `unicode61`, no trigram), kept current by triggers. PostgreSQL: the
generated column `search_vector` (the weighted tsvector of the token columns, 'simple'
configuration: the tokens are already analyzed) with a GIN index, a GIN index over the
title's tokens alone, and (migration 0036) the Vorhaben entries' titles in the narrow table
`search_titles`, kept by a trigger (the first tier of candidates, app.search.query).

The migration that creates them (2026-12-06-0500_word_index.py) and the seed use the same
statements from here. `suspend` and `restore` drop the per-row machinery for a bulk load
and build the index once at the end; `reindex` recomputes every entry's tokens with the
analyzer (after a change of the lexicon, see Analyzer.fingerprint), `reindex_terms` the
similar-Vorhaben terms; `rebuild` does all of it and records the fingerprint it was built
with (`search_index_state`), `rebuild_if_changed` only when the code's differs (run by
`allmende db upgrade`, and by `allmende search reindex`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, inspect, select, text

from app.db import SQLITE_CACHE_KIB, is_sqlite, refresh_statistics
from app.search import loading, parallel, similar
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer
from app.search.index import COLUMNS_VERSION, TOKEN_COLUMNS
from app.search.models import IndexState, VorhabenTerm

_LIST = ", ".join(TOKEN_COLUMNS)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(tokens_a, tokens_b, tokens_c, tokens_d, "
    "content='search_entries', content_rowid='id', tokenize='unicode61', columnsize=0)"
)
SQLITE_TRIGGERS = (
    (
        "search_fts_insert",
        "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
        "INSERT INTO search_fts(rowid, tokens_a, tokens_b, tokens_c, tokens_d) "
        "VALUES (new.id, new.tokens_a, new.tokens_b, new.tokens_c, new.tokens_d); END",
    ),
    (
        "search_fts_delete",
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, tokens_a, tokens_b, tokens_c, tokens_d) "
        "VALUES ('delete', old.id, old.tokens_a, old.tokens_b, old.tokens_c, old.tokens_d); END",
    ),
    (
        "search_fts_update",
        "CREATE TRIGGER search_fts_update "
        "AFTER UPDATE OF tokens_a, tokens_b, tokens_c, tokens_d ON search_entries BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, tokens_a, tokens_b, tokens_c, tokens_d) "
        "VALUES ('delete', old.id, old.tokens_a, old.tokens_b, old.tokens_c, old.tokens_d); "
        "INSERT INTO search_fts(rowid, tokens_a, tokens_b, tokens_c, tokens_d) "
        "VALUES (new.id, new.tokens_a, new.tokens_b, new.tokens_c, new.tokens_d); END",
    ),
)
POSTGRES_VECTOR = (
    "ALTER TABLE search_entries ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, tokens_a), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, tokens_b), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, tokens_c), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, tokens_d), 'D')) STORED"
)
POSTGRES_INDEXES = (
    (
        "ix_search_entries_vector",
        "CREATE INDEX ix_search_entries_vector ON search_entries USING gin (search_vector)",
    ),
    (
        "ix_search_entries_title_vector",
        "CREATE INDEX ix_search_entries_title_vector ON search_entries "
        "USING gin (to_tsvector('simple'::regconfig, tokens_a))",
    ),
)


@dataclass(frozen=True)
class Narrow:
    """PostgreSQL: a narrow table of the Vorhaben entries (app.search.narrow), kept by a
    trigger; a bulk load drops the trigger and the index and fills the table once at the end."""

    table: str
    trigger: str  # its name; the function of the same name comes from the migration
    columns: str  # the token columns whose update changes the row
    index: str
    column: str  # its tsvector
    expression: str  # the tsvector made from an entry's columns

    @property
    def create_trigger(self) -> str:
        return (
            f"CREATE TRIGGER {self.trigger} AFTER INSERT OR UPDATE OF {self.columns}, scope, "
            f"vorhaben_id ON search_entries FOR EACH ROW WHEN (NEW.kind = 'vorhaben') "
            f"EXECUTE FUNCTION {self.trigger}()"
        )

    @property
    def fill(self) -> str:
        # Names and expression are the constants of NARROW below, never input.
        return (
            f"INSERT INTO {self.table} (entry_id, vorhaben_id, scope, {self.column}) "  # noqa: S608
            f"SELECT id, vorhaben_id, scope, {self.expression} FROM search_entries "
            "WHERE kind = 'vorhaben'"
        )

    @property
    def create_index(self) -> str:
        return f"CREATE INDEX {self.index} ON {self.table} USING gin ({self.column})"


NARROW = (
    Narrow(  # migration 0036
        "search_titles",
        "search_titles_keep",
        "tokens_a",
        "ix_search_titles_title",
        "title",
        "to_tsvector('simple'::regconfig, tokens_a)",
    ),
    Narrow(  # migration 0037
        "search_own",
        "search_own_keep",
        "tokens_a, tokens_b, tokens_c, tokens_d",
        "ix_search_own_own",
        "own",
        "search_vector",
    ),
)
# FTS5 settings (stored in the index) for the bulk load, and its defaults to return to.
FTS_BULK = {"automerge": 0, "crisismerge": 2000, "hashsize": 256 * 2**20}
FTS_DEFAULTS = {"automerge": 4, "crisismerge": 16, "hashsize": 2**20}
FTS_CHUNK = 100_000
REINDEX_BATCH = 5_000
BULK_CACHE_KIB = 512 * 1024  # SQLite's page cache while rebuilding (as the seed's)


def create(connection: Connection) -> None:
    """Create the index structures over an existing `search_entries` (filled or not)."""
    if is_sqlite(connection):
        connection.exec_driver_sql(SQLITE_TABLE)
    else:
        connection.exec_driver_sql(POSTGRES_VECTOR)
    restore(connection, commit=False)


def drop(connection: Connection) -> None:
    """Remove the index structures (the token columns stay)."""
    suspend(connection, commit=False)
    if is_sqlite(connection):
        connection.exec_driver_sql("DROP TABLE IF EXISTS search_fts")
    else:
        connection.exec_driver_sql("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_vector")


def suspend(connection: Connection, *, commit: bool = True) -> None:
    """Drop the per-row machinery (FTS5 triggers, GIN indexes) for a bulk load."""
    names = SQLITE_TRIGGERS if is_sqlite(connection) else POSTGRES_INDEXES
    kind = "TRIGGER" if is_sqlite(connection) else "INDEX"
    for name, _sql in names:
        connection.exec_driver_sql(f"DROP {kind} IF EXISTS {name}")
    for narrow in _narrow_tables(connection):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {narrow.trigger} ON search_entries")
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {narrow.index}")
    if commit:
        connection.commit()


def restore(connection: Connection, *, commit: bool = True) -> None:
    """Recreate what suspend() dropped and index every row. Without commit (inside a
    migration's transaction), SQLite fills the FTS5 table in one statement."""
    if is_sqlite(connection):
        if commit:
            _fill_fts(connection)
        else:
            connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
        for name, sql in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            connection.exec_driver_sql(sql)
    else:
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem TO '1GB'")
        for name, sql in POSTGRES_INDEXES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
            connection.exec_driver_sql(sql)
        for narrow in _narrow_tables(connection):
            _restore_narrow(connection, narrow)
    if commit:
        connection.commit()


def _narrow_tables(connection: Connection) -> list[Narrow]:
    """The narrow tables the database has (PostgreSQL from migrations 0036 and 0037 on;
    the migrations before them build the index without them)."""
    if is_sqlite(connection):
        return []
    return [
        narrow
        for narrow in NARROW
        if connection.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": narrow.table})
    ]


def _restore_narrow(connection: Connection, narrow: Narrow) -> None:
    """Fill a narrow table from the entries, then index it and keep it by trigger."""
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {narrow.trigger} ON search_entries")
    connection.exec_driver_sql(f"DROP INDEX IF EXISTS {narrow.index}")
    connection.exec_driver_sql(f"DELETE FROM {narrow.table}")  # noqa: S608 - a NARROW constant
    connection.exec_driver_sql(narrow.fill)
    connection.exec_driver_sql(narrow.create_index)
    connection.exec_driver_sql(narrow.create_trigger)
    connection.exec_driver_sql(f"ANALYZE {narrow.table}")


def _fill_fts(connection: Connection) -> None:
    """Index all search entries in FTS5 in chunks, each its own transaction, without the
    merges FTS5 does while writing; merge once at the end and restore its defaults."""

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
                f"INSERT INTO search_fts(rowid, {_LIST}) SELECT id, {_LIST} "  # noqa: S608
                "FROM search_entries WHERE id > :first AND id <= :last"
            ),
            {"first": first, "last": first + FTS_CHUNK},
        )
        connection.commit()
    # Merge the segments into one now: left alone, the next ordinary write would merge them.
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


def reindex(
    connection: Connection,
    *,
    analyzer: Analyzer = DEFAULT_ANALYZER,
    out: Callable[[str], None] = lambda line: None,
    commit: bool = True,
    workers: int | None = None,
    batch: int = REINDEX_BATCH,
) -> int:
    """Recompute the token columns of every entry from the content; returns the number
    of entries. Run between suspend() and restore() for speed (the caller's choice). The
    analyzing runs in `workers` processes (default: one per core; app.search.parallel)."""
    started = time.perf_counter()
    workers = parallel.workers_for(analyzer, workers)
    tags = _tags(connection)
    fields: dict[int, list[str]] = {}
    for vorhaben_id, label in connection.execute(
        text(
            "SELECT vf.vorhaben_id, f.label FROM vorhaben_fields vf "
            "JOIN fields_of_action f ON f.id = vf.field_id ORDER BY f.id"
        )
    ):
        fields.setdefault(vorhaben_id, []).append(label)
    done = 0

    def write(rows: list[dict[str, object]]) -> None:
        nonlocal done
        if rows:
            loading.update_entries(connection, rows)
            done += len(rows)
            if commit:
                connection.commit()

    vorhaben = [
        (
            row.id,
            row.title,
            row.summary,
            row.description,
            row.lessons_learned or "",
            tags.get(row.id, []),
            fields.get(row.id, []),
        )
        for row in connection.execute(
            text(
                "SELECT id, title, summary, description, lessons_learned FROM vorhaben ORDER BY id"
            )
        )
    ]
    work = parallel.analyzing(parallel.vorhaben_entries, analyzer)
    for rows in parallel.mapped(work, parallel.chunks(vorhaben, batch), workers=workers):
        write(rows)

    def comments() -> Iterator[list[tuple[int, str]]]:
        last = 0
        while found := connection.execute(
            text(
                "SELECT e.id AS entry_id, e.ref_id AS id, c.body AS body FROM search_entries e "
                "JOIN comments c ON c.id = e.ref_id WHERE e.kind = 'comment' AND e.id > :last "
                "ORDER BY e.id LIMIT :size"
            ),
            {"last": last, "size": batch},
        ).all():
            last = int(found[-1].entry_id)
            yield [(row.id, row.body) for row in found]

    work = parallel.analyzing(parallel.comment_entries, analyzer)
    for rows in parallel.mapped(work, comments(), workers=workers):
        write(rows)
        if done % 100_000 < len(rows):
            out(f"  reindexed {done:,} entries ({time.perf_counter() - started:.0f} s)")
    loading.finish(connection)
    return done


def _tags(connection: Connection) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    for vorhaben_id, tag in connection.execute(
        text("SELECT vorhaben_id, tag FROM vorhaben_tags ORDER BY vorhaben_id, tag")
    ):
        tags.setdefault(vorhaben_id, []).append(tag)
    return tags


# The scope of a Vorhaben as app.vorhaben.visibility.scope_of computes it, in SQL.
SCOPE_SQL = "CASE WHEN v.hidden_at IS NOT NULL THEN 'hidden' ELSE v.visibility END"


def reindex_terms(
    connection: Connection,
    *,
    commit: bool = True,
    workers: int | None = None,
    batch: int = REINDEX_BATCH,
) -> int:
    """Compute the similar-Vorhaben terms of every Vorhaben again (app.search.similar);
    returns the number of terms. The analyzing runs in `workers` processes (default: one
    per core)."""
    tags = _tags(connection)
    # The secondary indexes go for the load and are built once, sorted, at its end: kept,
    # each of the ~8 million rows went into them at a random place (on SQLite most of a
    # full rebuild's time). Only those the database has (a migration calls this too).
    existing = {
        found["name"] for found in inspect(connection).get_indexes(VorhabenTerm.__tablename__)
    }
    table = VorhabenTerm.metadata.tables[VorhabenTerm.__tablename__]
    indexes = [index for index in table.indexes if index.name in existing]
    for index in indexes:
        index.drop(connection)
    connection.execute(delete(VorhabenTerm))
    done = 0
    vorhaben = [
        (vorhaben_id, title, summary, description, scope, tags.get(vorhaben_id, []))
        for vorhaben_id, title, summary, description, scope in connection.execute(
            text(
                f"SELECT v.id, v.title, v.summary, v.description, {SCOPE_SQL} "  # noqa: S608
                "FROM vorhaben v ORDER BY v.id"
            )
        )
    ]
    workers = parallel.workers_for(DEFAULT_ANALYZER, workers)
    for rows in parallel.mapped(
        parallel.term_rows, parallel.chunks(vorhaben, batch), workers=workers
    ):
        if rows:
            loading.insert_terms(connection, rows)
            done += len(rows)
            if commit:
                connection.commit()
    for index in indexes:
        index.create(connection)
    if commit:
        connection.commit()
    return done


def fingerprint(analyzer: Analyzer = DEFAULT_ANALYZER) -> str:
    """What the stored index depends on: the analyzer's tokens, the columns made of them
    (index.COLUMNS_VERSION) and the similar-Vorhaben terms. Synonyms are not part of it:
    both search and similar Vorhaben apply them to what is looked up, never to what is
    stored, so editing them needs no rebuild."""
    text = f"{analyzer.fingerprint}\n{similar.FINGERPRINT}\ncolumns {COLUMNS_VERSION}"
    digest = hashlib.sha256(text.encode())
    return digest.hexdigest()[:16]


def stored_fingerprint(connection: Connection) -> str | None:
    """The fingerprint the index was last built with (None: never recorded)."""
    return connection.scalar(select(IndexState.fingerprint).where(IndexState.id == 1))


def record_fingerprint(connection: Connection, value: str) -> None:
    connection.execute(delete(IndexState))
    connection.execute(insert(IndexState).values(id=1, fingerprint=value))


@contextmanager
def tuned(connection: Connection) -> Iterator[None]:
    """This connection's settings for a bulk rebuild, put back at its end (the connection
    goes back to the pool). SQLite: a page cache of BULK_CACHE_KIB instead of the 1 MiB of
    app.db (the similar-Vorhaben terms go into their primary key's B-tree in Vorhaben
    order, at random places: a small cache reads and writes its pages again and again);
    PostgreSQL: commits that do not wait for the disk (a crash loses the last batches of a
    rebuild that is run again anyway, never committed data of others)."""
    sqlite = is_sqlite(connection)
    connection.exec_driver_sql(
        f"PRAGMA cache_size=-{BULK_CACHE_KIB}" if sqlite else "SET synchronous_commit TO off"
    )
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql(
            f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}" if sqlite else "RESET synchronous_commit"
        )
        connection.commit()


def rebuild(connection: Connection, *, out: Callable[[str], None] = lambda line: None) -> int:
    """Analyze everything again and build the index (each step commits); records the
    fingerprint last. Returns the number of search entries."""
    started = time.perf_counter()
    with tuned(connection):
        suspend(connection)
        entries = reindex(connection, out=out)
        terms = reindex_terms(connection)
        restore(connection)
        record_fingerprint(connection, fingerprint())
        connection.commit()
        refresh_statistics(connection)  # SQLite: the terms' indexes are new, without any
        connection.commit()
    out(
        f"search index rebuilt: {entries:,} entries, {terms:,} similar-Vorhaben terms "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return entries


def rebuild_if_changed(
    connection: Connection, *, out: Callable[[str], None] = lambda line: None
) -> bool:
    """Rebuild when the index was built with another analyzer or other terms than the
    code's (or it is not recorded); returns whether it did."""
    if stored_fingerprint(connection) == fingerprint():
        return False
    out("the search index was built with another analyzer: rebuilding it")
    rebuild(connection, out=out)
    return True
