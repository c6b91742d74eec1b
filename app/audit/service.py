"""record(): the one way to write an audit event, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.clock import BERLIN
from app.core.pagination import Page, decode_keyset, encode_keyset

# Actions that belong to the security log (shorter retention) rather than the decision log.
SECURITY_ACTIONS = frozenset(
    {"login", "login_failed", "logout", "backchannel_logout", "session_ended", "dev_login"}
)


def record(
    db: Session,
    action: str,
    *,
    actor_id: int | None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    subject_id: int | None = None,
    reason: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        subject_id=subject_id,
        reason=reason or None,
        details=details,
        security=action in SECURITY_ACTIONS,
    )
    db.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    subject_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    # People found by name: any of them acted (or is concerned); empty matches nothing.
    actor_ids: tuple[int, ...] | None = None
    subject_ids: tuple[int, ...] | None = None


def search(
    db: Session, filters: AuditFilter, *, after: str | None = None, limit: int = 50
) -> Page[AuditEvent]:
    """Audit events, newest first, filtered, keyset-paginated by (created_at, id)."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.subject_id:
        query = query.where(AuditEvent.subject_id == filters.subject_id)
    if filters.actor_ids is not None:
        query = query.where(AuditEvent.actor_id.in_(filters.actor_ids))
    if filters.subject_ids is not None:
        query = query.where(AuditEvent.subject_id.in_(filters.subject_ids))
    # Dates at the ends of the calendar (0001-01-01, 9999-12-31) overflow once shifted to
    # UTC or to the next day; nothing was recorded that early or late, so they mean "open".
    if filters.since and filters.since > dt.date.min:
        query = query.where(
            AuditEvent.created_at >= dt.datetime.combine(filters.since, dt.time(), BERLIN)
        )
    if filters.until and filters.until < dt.date.max:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), BERLIN)
        query = query.where(AuditEvent.created_at < end)
    cursor = decode_keyset(after)
    if cursor is not None:
        stamp, last_id = cursor
        query = query.where(
            (AuditEvent.created_at < stamp)
            | ((AuditEvent.created_at == stamp) & (AuditEvent.id < last_id))
        )
    rows = list(
        db.scalars(
            query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit + 1)
        )
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id)
    return Page(rows, next_cursor)


def actions(db: Session) -> list[str]:
    """The distinct actions recorded so far (for the filter)."""
    return list(db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
