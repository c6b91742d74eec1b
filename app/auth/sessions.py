"""Server-side sessions: random tokens stored hashed, idle and absolute expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import weakref
from dataclasses import dataclass

from cachetools import LRUCache
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, joinedload

from app.auth.models import AuthSession
from app.config import Settings
from app.core import readcache
from app.core.clock import utcnow
from app.membership.models import Account

# How often last_seen_at is written: often enough for the idle timeout, rarely enough that
# reading a page does not turn into a write every time.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie, never stored
    session: AuthSession


def create(
    db: Session,
    settings: Settings,
    account: Account,
    *,
    provider: str | None,
    oidc_sid: str | None = None,
    oidc_subject: str | None = None,
    id_token: str | None = None,
    auth_time: dt.datetime | None = None,
    user_agent: str | None = None,
) -> NewSession:
    """Start a session with a fresh 256-bit token (a new one at every sign-in)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = AuthSession(
        token_hash=hash_token(token),
        account_id=account.id,
        provider=provider,
        oidc_sid=oidc_sid,
        oidc_subject=oidc_subject,
        id_token=id_token,
        created_at=now,
        auth_time=auth_time or now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=settings.session_max_age_seconds),
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(row)
    db.flush()
    return NewSession(token=token, session=row)


def lookup(db: Session, settings: Settings, token: str) -> AuthSession | None:
    """The live session for a cookie token, with its account; None if unknown or expired.

    Read through the read cache (app.core.readcache): ending a session and every change of
    an account change its token, so a cached session and account are as current as the
    database. Only its last_seen_at may be older than the row's (activity changes no
    token): that can only make the session look idle sooner, so a session the cached copy
    calls idle is looked up again before it is refused.
    """
    token_hash = hash_token(token)
    row = _shared(db, token_hash, refresh=False)
    if row is not None and not _alive(db, row, settings):
        row = _shared(db, token_hash, refresh=True)
    if row is None or not _alive(db, row, settings):
        return None
    return row


def _shared(db: Session, token_hash: str, *, refresh: bool) -> AuthSession | None:
    def load(loader: Session) -> list[AuthSession]:
        query = (
            select(AuthSession)
            .where(AuthSession.token_hash == token_hash)
            .options(joinedload(AuthSession.account))
        )
        return list(loader.scalars(query))

    key = ("session", token_hash)
    found = readcache.shared_objects(db, key, load, refresh=refresh, keep_empty=False)
    return found[0] if found else None


# When this process last recorded activity of a session, per database and token hash (a
# cached session keeps the last_seen_at it was loaded with): bounded, and only ever a time
# the row has reached.
_touches: weakref.WeakKeyDictionary[Engine, LRUCache[str, dt.datetime]] = (
    weakref.WeakKeyDictionary()
)
_touches_lock = threading.Lock()


def _touches_of_locked(db: Session) -> LRUCache[str, dt.datetime]:
    engine = db.get_bind().engine
    engine = getattr(engine, "_proxied", engine)  # an engine with execution options
    found = _touches.get(engine)
    if found is None:
        found = _touches[engine] = LRUCache(maxsize=50_000)
    return found


def last_seen(db: Session, row: AuthSession) -> dt.datetime:
    """When the session was last active, as far as this process knows (a lower bound)."""
    with _touches_lock:
        touched = _touches_of_locked(db).get(row.token_hash)
    return max(row.last_seen_at, touched) if touched is not None else row.last_seen_at


def _alive(db: Session, row: AuthSession, settings: Settings) -> bool:
    now = utcnow()
    idle = dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    return row.expires_at > now and last_seen(db, row) + idle > now


def needs_touch(db: Session, row: AuthSession) -> bool:
    return utcnow() - last_seen(db, row) >= TOUCH_INTERVAL


def touch(db: Session, session_id: int) -> dt.datetime:
    """Record activity (keeps the idle timeout from running out); once committed, pass the
    time returned to touched()."""
    now = utcnow()
    db.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now))
    return now


def touched(db: Session, row: AuthSession, at: dt.datetime) -> None:
    """Remember a committed touch() for the cached copy of the session."""
    with _touches_lock:
        _touches_of_locked(db)[row.token_hash] = at


def end(db: Session, session_id: int) -> None:
    """End one session."""
    db.execute(delete(AuthSession).where(AuthSession.id == session_id))


def end_by_token(db: Session, token: str) -> AuthSession | None:
    """End the session behind a cookie token; returns it (for the id_token_hint)."""
    row = db.scalars(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).one_or_none()
    if row is not None:
        db.delete(row)
        db.flush()
    return row


def end_all(db: Session, account_id: int, *, except_id: int | None = None) -> int:
    """End every session of an account at once (suspension, decline, erasure)."""
    statement = delete(AuthSession).where(AuthSession.account_id == account_id)
    if except_id is not None:
        statement = statement.where(AuthSession.id != except_id)
    result = db.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def list_for(db: Session, settings: Settings, account_id: int) -> list[AuthSession]:
    """An account's live sessions (within both limits), newest activity first."""
    now = utcnow()
    idle_cutoff = now - dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    return list(
        db.scalars(
            select(AuthSession)
            .where(
                AuthSession.account_id == account_id,
                AuthSession.expires_at > now,
                AuthSession.last_seen_at > idle_cutoff,
            )
            .order_by(AuthSession.last_seen_at.desc())
        )
    )


def end_expired(db: Session, settings: Settings) -> int:
    """Delete sessions past their absolute or idle limit (maintenance)."""
    now = utcnow()
    idle_cutoff = now - dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    result = db.execute(
        delete(AuthSession).where(
            (AuthSession.expires_at <= now) | (AuthSession.last_seen_at <= idle_cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
