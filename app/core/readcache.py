"""Read results shared by the requests of one process, and exact across processes.

Most page views read what no one changed since the last view: the newest Vorhaben, the
filter options, the Vorhaben similar to one. Computing them again is most of a page's time.

The rule that keeps a shared result exact: every transaction that writes to a table (other
than the few in QUIET_TABLES, which no cached read depends on) sets a fresh random token in
`read_generation`, as its last statement before COMMIT, so the token changes exactly when
the data do, for every process at once. A request reads the current token before any
cached value and only uses values stored under that token. A transaction that has written
itself neither reads nor fills the cache: it sees its own uncommitted rows, which must not
reach anyone else. The token is random rather than a counter so that a rolled-back
transaction cannot hand a number out twice.

A request that has not used the database yet reads the token on a small pool of
autocommit connections of its own (the token reader) instead of opening its transaction:
a page served from the cache then costs one query and no BEGIN, COMMIT or connection
check. That is as exact as reading it first thing in the transaction: a value loaded
afterwards is only stored if the token, read again in the loading transaction (its
snapshot on SQLite, the latest commits under PostgreSQL's READ COMMITTED), is still the
same, so it belongs to the state the token names.

What is cached must be plain, immutable data (never ORM objects, which belong to one
session), and keyed by everything the read depends on: for trust-space content that is the
reader's audience (app.vorhaben.visibility.audience), never less.
"""

from __future__ import annotations

import re
import secrets
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from cachetools import LRUCache
from sqlalchemy import Connection, Engine, String, event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry

from app.db import Base

T = TypeVar("T")
M = TypeVar("M", bound=Base)

GENERATION_TABLE = "read_generation"
DEFAULT_ENTRIES = 2000
# Tables whose changes no cached read depends on: writing them (a sign-in in flight, a
# rate counter, a mail queued, an audit event) keeps the cache.
QUIET_TABLES = frozenset(
    {
        GENERATION_TABLE,
        "login_attempts",
        "used_tokens",
        "rate_counters",
        "outbox",
        "audit_events",
    }
)
# Writes to tables read through the cache that still change no cached value, matched as
# SQLAlchemy renders them (any other form counts as a change): a new session (nothing is
# cached for a token that did not exist), a session's activity (a cached session is only
# trusted while its own last_seen_at allows, see app.auth.sessions.lookup), a notification
# marked as mailed (the unread count does not depend on it). Ending a session, marking a
# notification read or creating one changes the token.
_VALUE = r"(?:\?|%\(\w+\)s(?:::TIMESTAMP(?:\s+WITH\s+TIME\s+ZONE)?)?)"  # one bound parameter
_QUIET_WRITES = re.compile(
    r"\s*(?:INSERT\s+INTO\s+sessions\s"
    rf"|UPDATE\s+sessions\s+SET\s+last_seen_at\s*=\s*{_VALUE}\s+WHERE\s"
    rf"|UPDATE\s+notifications\s+SET\s+mailed_at\s*=\s*{_VALUE}\s+WHERE\s)",
    re.IGNORECASE,
)
_DIRTY = "allmende.readcache.wrote"  # on the DBAPI connection, until its transaction ends
_READY = "allmende.readcache.ready"  # on the DBAPI connection: read_generation exists
_SEEN = "allmende.readcache.token"  # on the Session, for its current transaction
_CONNECTED = "allmende.readcache.connected"  # on the Session: its transaction has a connection
_WRITE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r"\s+[\"`]?(\w+)",
    re.IGNORECASE,
)
_READS = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SHOW", "EXPLAIN")


class ReadGeneration(Base):
    """One row: the token of the data's current state (see the module docstring)."""

    __tablename__ = GENERATION_TABLE

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def writes_shared_data(statement: str) -> bool:
    """Whether a SQL statement may change what a cached read returns (unknown: yes)."""
    match = _WRITE.match(statement)
    if match is not None:
        return match.group(1).lower() not in QUIET_TABLES and not _QUIET_WRITES.match(statement)
    return not statement.lstrip()[:10].upper().startswith(_READS)


class ReadCache:
    """The values of one database, stored under the token they were read at."""

    def __init__(self, max_entries: int, token_reader: Engine | None = None) -> None:
        self.max_entries = max_entries
        # Autocommit connections for reading the token outside a transaction (none: the
        # token is read in the request's transaction).
        self.token_reader = token_reader
        self._entries: LRUCache[Hashable, Any] = LRUCache(maxsize=max(1, max_entries))
        self._token: str | None = None
        self._lock = threading.Lock()

    def get(self, token: str, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if token != self._token:
                # The data changed: everything stored belongs to an older state.
                self._entries.clear()
                self._token = token
                return False, None
            try:
                return True, self._entries[key]
            except KeyError:
                return False, None

    def put(self, token: str, key: Hashable, value: Any) -> None:
        with self._lock:
            if token == self._token:
                self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._token = None

    def __len__(self) -> int:
        return len(self._entries)


_caches: weakref.WeakKeyDictionary[Engine, ReadCache] = weakref.WeakKeyDictionary()


def install(
    engine: Engine, max_entries: int = DEFAULT_ENTRIES, *, token_reader: Engine | None = None
) -> ReadCache:
    """Track writes on this engine's connections and give it a cache (0 entries: off).

    token_reader: an engine on the same database in AUTOCOMMIT, without pre-ping or reset
    on return, for reading the token before a request opens its transaction (see the
    module docstring); disposed with `engine`."""
    existing = _caches.get(engine)
    if existing is not None:
        existing.max_entries = max_entries
        existing.token_reader = token_reader or existing.token_reader
        existing.clear()
        return existing
    cache = _caches[engine] = ReadCache(max_entries, token_reader)
    event.listen(engine, "after_cursor_execute", _note_write)
    event.listen(engine, "commit", _change_token)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "reset", _forget_entry)
    event.listen(engine, "engine_disposed", _dispose_token_reader)
    return cache


def cache_of(engine: Engine) -> ReadCache | None:
    """The engine's cache (also for an engine derived with execution_options())."""
    base = getattr(engine, "_proxied", engine)
    return _caches.get(base)


def cached(
    db: Session,
    key: Hashable,
    load: Callable[[], T],
    *,
    refresh: bool = False,
    keep: Callable[[T], bool] | None = None,
) -> T:
    """load(), or the value an earlier request loaded for the same key since the last write.

    refresh: load anyway and store the result in place of the one cached (for values that
    may have become older than the database without a change of the token, see
    _QUIET_WRITES). keep: store a loaded value only if it says so."""
    cache = cache_of(db.get_bind().engine)
    if cache is None or cache.max_entries <= 0 or _has_own_writes(db):
        return load()
    token = db.info.get(_SEEN)
    if token is None:
        token = _token_for(db, cache)
        if token is None:  # not migrated yet
            return load()
        db.info[_SEEN] = token
    hit, value = cache.get(token, key)
    if hit and not refresh:
        found: T = value
        return found
    return _load_and_store(db, cache, token, key, load, keep)


def _has_own_writes(db: Session) -> bool:
    """Whether the session's transaction has changes of its own, flushed or not."""
    if db.new or db.dirty or db.deleted:
        return True
    if not db.info.get(_CONNECTED) and isinstance(db.get_bind(), Engine):
        return False  # no connection yet: nothing written
    return bool(db.connection().info.get(_DIRTY))


def _token_for(db: Session, cache: ReadCache) -> str | None:
    """The current token: in the session's transaction once it has a connection (or has
    none but its own), else on the token reader without opening the transaction."""
    if (
        cache.token_reader is None
        or db.info.get(_CONNECTED)
        or not isinstance(db.get_bind(), Engine)
    ):
        return _current_token(db.connection())
    token = _read_token(cache.token_reader)
    if token is not None and not db.in_transaction():
        db.begin()  # so that the token is forgotten when this unit of work ends
    return token


def _load_and_store(
    db: Session,
    cache: ReadCache,
    token: str,
    key: Hashable,
    load: Callable[[], T],
    keep: Callable[[T], bool] | None,
) -> T:
    result = load()
    # load() itself may have written (it should not). And under PostgreSQL's READ COMMITTED
    # every statement sees the latest commits: a write committed since the token was read
    # may be in the result, while the key (the reader's audience) was worked out before it.
    # Such a result is right for this request, but belongs to no one token: not stored.
    connection = db.connection()
    if (
        not connection.info.get(_DIRTY)
        and (keep is None or keep(result))
        and _current_token(connection) == token
    ):
        cache.put(token, key, result)
    return result


def shared_objects(
    db: Session,
    key: Hashable,
    load: Callable[[Session], Iterable[M]],
    *,
    refresh: bool = False,
    keep_empty: bool = True,
) -> list[M]:
    """ORM objects shared between requests, as in SQLAlchemy's caching recipe: loaded by a
    session of their own (on this transaction's connection) so that they belong to no
    request, kept detached, and merged into `db` without a query. For reading pages: a
    service that changes what it loaded loads it itself. refresh: as for cached();
    keep_empty=False: an empty result is not stored (asked again next time)."""

    if _has_own_writes(db):
        # Merging would overwrite this transaction's own changes with the committed state.
        return list(load(db))

    def detached() -> tuple[M, ...]:
        with Session(bind=db.connection()) as loader:
            return tuple(load(loader))

    found = cached(db, key, detached, refresh=refresh, keep=None if keep_empty else bool)
    return [db.merge(entry, load=False) for entry in found]


def _note_write(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if statement.startswith("SELECT"):  # nearly every statement, decided without a regex
        return
    if writes_shared_data(statement):
        conn.info[_DIRTY] = True


def _dispose_token_reader(engine: Engine) -> None:
    cache = cache_of(engine)
    if cache is not None and cache.token_reader is not None:
        cache.token_reader.dispose()


def _change_token(conn: Connection) -> None:
    """Just before COMMIT of a transaction that wrote: a fresh token, in that transaction.

    As the last statement it holds the row's lock only while committing, so writers
    waiting for it hold nothing the committing one needs (no deadlock)."""
    if not conn.info.pop(_DIRTY, False):
        return
    if not _table_ready(conn.connection.dbapi_connection, conn.info, conn.dialect.name):
        return
    # Straight on the driver's cursor: no statement events, no recursion into this hook.
    # The token is hex digits we made, safe to write into the statement.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"UPDATE {GENERATION_TABLE} SET token = '{secrets.token_hex(16)}'")  # noqa: S608
    finally:
        cursor.close()


def _current_token(conn: Connection) -> str | None:
    """The token, read in the connection's transaction. Once per request, so straight on
    the driver's cursor: the ORM's way costs a third of a cached page's time."""
    dbapi_connection = conn.connection.dbapi_connection
    return _token_on(dbapi_connection, conn.info, conn.dialect.name)


def _read_token(reader: Engine) -> str | None:
    """The token, read on one of the token reader's autocommit connections. It has no
    pre-ping (that would double the cost): a connection the server dropped (a restart)
    fails once, is thrown away and the read is tried once more on a fresh one."""
    try:
        return _read_token_once(reader)
    except reader.dialect.loaded_dbapi.OperationalError:
        return _read_token_once(reader)


def _read_token_once(reader: Engine) -> str | None:
    raw = reader.raw_connection()
    try:
        return _token_on(raw.dbapi_connection, raw.info, reader.dialect.name)
    except reader.dialect.loaded_dbapi.OperationalError:
        raw.invalidate()
        raise
    finally:
        raw.close()


def _token_on(dbapi_connection: Any, info: dict[Any, Any], dialect: str) -> str | None:
    if not _table_ready(dbapi_connection, info, dialect):
        return None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SELECT token FROM {GENERATION_TABLE} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    finally:
        cursor.close()
    return str(row[0]) if row is not None else None


def _table_ready(dbapi_connection: Any, info: dict[Any, Any], dialect: str) -> bool:
    """Whether read_generation exists (a database being migrated to it has no token yet);
    remembered per connection once it does."""
    if info.get(_READY):
        return True
    if dialect == "sqlite":
        query = f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{GENERATION_TABLE}'"  # noqa: S608
    else:
        query = f"SELECT 1 FROM information_schema.tables WHERE table_name = '{GENERATION_TABLE}'"  # noqa: S608
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(query)
        ready = cursor.fetchone() is not None
    finally:
        cursor.close()
    if ready:
        info[_READY] = True
    return ready


def _forget(conn: Connection) -> None:
    conn.info.pop(_DIRTY, None)


def _forget_entry(_dbapi_connection: Any, record: ConnectionPoolEntry, _state: Any) -> None:
    record.info.pop(_DIRTY, None)


@event.listens_for(Session, "after_begin")
def _connected(session: Session, _transaction: Any, _connection: Connection) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(Session, "after_transaction_end")
def _end_of_transaction(session: Session, transaction: SessionTransaction) -> None:
    session.info.pop(_SEEN, None)
    if transaction.parent is None:  # the connection goes back with the outermost one
        session.info.pop(_CONNECTED, None)
