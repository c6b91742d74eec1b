"""The moderators' application queue: filters by state, Land and age, keyset-paginated, and an
applicant's earlier applications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.core.clock import utcnow
from app.core.pagination import Page, decode_keyset, encode_keyset
from app.membership.models import Application, ApplicationState
from app.municipalities.models import Municipality


@dataclass(frozen=True)
class QueueFilter:
    state: str = "open"  # open, submitted, needs_info, approved, declined, all
    land_id: int | None = None
    older_than_days: int | None = None


def queue(
    db: Session, filters: QueueFilter, *, after: str | None = None, limit: int = 50
) -> Page[Application]:
    """Applications for the moderation queue, oldest first, keyset-paginated."""
    query = (
        select(Application)
        .join(Municipality, Municipality.id == Application.municipality_id)
        .options(
            joinedload(Application.account),
            joinedload(Application.municipality).joinedload(Municipality.land),
        )
    )
    if filters.state == "open":
        query = query.where(
            Application.state.in_((ApplicationState.SUBMITTED, ApplicationState.NEEDS_INFO))
        )
    elif filters.state in {state.value for state in ApplicationState}:
        query = query.where(Application.state == ApplicationState(filters.state))
    if filters.land_id:
        query = query.where(Municipality.land_id == filters.land_id)
    if filters.older_than_days:
        cutoff = utcnow() - dt.timedelta(days=filters.older_than_days)
        query = query.where(Application.created_at < cutoff)
    cursor = decode_keyset(after)
    if cursor is not None:
        stamp, last_id = cursor
        query = query.where(
            (Application.created_at > stamp)
            | ((Application.created_at == stamp) & (Application.id > last_id))
        )
    rows = list(
        db.scalars(query.order_by(Application.created_at, Application.id).limit(limit + 1)).unique()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_keyset(rows[-1].created_at, rows[-1].id)
    return Page(rows, next_cursor)


def earlier_applications(db: Session, application: Application) -> list[Application]:
    """The applicant's other applications, newest first."""
    return list(
        db.scalars(
            select(Application)
            .where(
                Application.account_id == application.account_id, Application.id != application.id
            )
            .options(joinedload(Application.municipality))
            .order_by(Application.created_at.desc())
        )
    )
