"""Server-side sessions: random tokens stored hashed, idle and absolute expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, bindparam, delete, select, update
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import Account
from app.auth.models import AuthSession
from app.config import Settings
from app.core.clock import utcnow

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
    auth_time: dt.datetime | None,
    user_agent: str | None = None,
) -> NewSession:
    """Start a session with a fresh 256-bit token (a new one at every sign-in).

    auth_time: when the person last authenticated at the provider; None when the provider
    did not say (such a session never counts as a fresh sign-in)."""
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
        auth_time=auth_time,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=settings.session_max_age_seconds),
        user_agent=(user_agent or "")[:300] or None,
    )
    db.add(row)
    db.flush()
    return NewSession(token=token, session=row)


def lookup(db: Session, settings: Settings, token: str) -> AuthSession | None:
    """The live session for a cookie token, with its account; None if unknown or expired.

    Read from the database on every request, never from a cache: an ended session and a
    changed role or state take effect at the very next request, on every app instance."""
    found = lookup_with(db, settings, token, ())
    return found[0] if found is not None else None


def lookup_with(
    db: Session, settings: Settings, token: str, columns: Sequence[ColumnElement[Any]]
) -> tuple[AuthSession, tuple[Any, ...]] | None:
    """lookup(), and in the same statement the values of `columns` (subqueries that may
    refer to the session's account, `accounts`): what every page's header counts."""
    statement = _lookup_statement(tuple(columns))
    row = db.execute(statement, {"token_hash": hash_token(token)}).one_or_none()
    if row is None or not _alive(row[0], settings):
        return None
    return row[0], tuple(row[1:])


# The lookup's statement for each tuple of columns (by identity: the same on every request).
_statements: dict[tuple[int, ...], tuple[tuple[ColumnElement[Any], ...], Select[Any]]] = {}


def _lookup_statement(columns: tuple[ColumnElement[Any], ...]) -> Select[Any]:
    """The lookup's statement, built once for the columns."""
    key = tuple(id(column) for column in columns)
    if key not in _statements:  # (the columns are kept, so their ids stay theirs)
        statement = (
            select(AuthSession, *columns)
            .join(Account, Account.id == AuthSession.account_id)
            .where(AuthSession.token_hash == bindparam("token_hash", type_=String))
            .options(contains_eager(AuthSession.account))
        )
        _statements[key] = (columns, statement)
    return _statements[key][1]


def _alive(row: AuthSession, settings: Settings) -> bool:
    now = utcnow()
    idle = dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    return row.expires_at > now and row.last_seen_at + idle > now


def needs_touch(row: AuthSession) -> bool:
    """Whether the session's activity is older than TOUCH_INTERVAL (time to record it)."""
    return utcnow() - row.last_seen_at >= TOUCH_INTERVAL


def touch(db: Session, row: AuthSession) -> None:
    """Record activity (keeps the idle timeout from running out)."""
    now = utcnow()
    db.execute(update(AuthSession).where(AuthSession.id == row.id).values(last_seen_at=now))
    set_committed_value(row, "last_seen_at", now)


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
