"""Writing to the outbox, leasing due rows, and recording outcomes with backoff."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from app.core.clock import utcnow
from app.outbox.models import Channel, DeliveryState, OutboxMessage

LEASE = dt.timedelta(minutes=2)
MAIL_MAX_ATTEMPTS = 12  # about two days with the backoff below


def enqueue_mail(
    db: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    about: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add a mail to the outbox; it leaves when the transaction commits and a worker runs.

    `about` says what the mail shows that its receiver must still be allowed to see when it
    leaves; the outbox only stores it and hands it to the worker's mail check."""
    payload: dict[str, Any] = {"to": to, "subject": subject, "text": text, "html": html}
    if about is not None:
        payload["about"] = about
    message = OutboxMessage(
        channel=Channel.MAIL, payload=payload, message_key=secrets.token_hex(16)
    )
    db.add(message)
    return message


def lease_due(
    db: Session, *, limit: int = 20, channel: Channel | None = None
) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for this worker for LEASE.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers claim different rows at once;
    SQLite serializes the claim through its single writer. The lease (not a held lock)
    covers the slow network part, so no transaction stays open while we talk to a server.

    Rows with an ordering key (a webhook's project) are claimed one at a time per endpoint
    and key, in id order: while an earlier row is pending, leased or waiting for its retry,
    the later ones wait, so a partner never gets "updated" after "withdrawn". Different
    endpoints and projects still go out in parallel.
    """
    now = utcnow()
    earlier = aliased(OutboxMessage)
    blocked = (
        select(earlier.id)
        .where(
            earlier.ordering_key == OutboxMessage.ordering_key,
            earlier.webhook_endpoint_id == OutboxMessage.webhook_endpoint_id,
            earlier.state == DeliveryState.PENDING,
            earlier.id < OutboxMessage.id,
        )
        .exists()
    )
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.state == DeliveryState.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
            or_(OutboxMessage.ordering_key.is_(None), ~blocked),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    rows: Sequence[OutboxMessage] = db.scalars(query).all()
    for row in rows:
        row.leased_until = now + LEASE
    db.flush()
    return list(rows)


def make_due(db: Session, *, channel: Channel | None = None) -> int:
    """`--retry-now`: every pending row waiting for a retry becomes due now."""
    now = utcnow()
    statement = update(OutboxMessage).where(
        OutboxMessage.state == DeliveryState.PENDING, OutboxMessage.next_attempt_at > now
    )
    if channel is not None:
        statement = statement.where(OutboxMessage.channel == channel)
    result = db.execute(statement.values(next_attempt_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def backoff(attempts: int, *, base: float = 60.0, cap: float = 6 * 3600.0) -> dt.timedelta:
    """Exponential backoff with full jitter: a thundering herd spreads out."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


def mark_delivered(db: Session, message_id: int) -> None:
    """Record a successful delivery."""
    now = utcnow()
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            state=DeliveryState.DELIVERED,
            delivered_at=now,
            leased_until=None,
            last_error=None,
            attempts=OutboxMessage.attempts + 1,
        )
    )


def mark_failed(
    db: Session,
    message_id: int,
    error: str,
    *,
    retry_at: dt.datetime | None,
) -> None:
    """Record a failed attempt; retry_at=None gives up for good."""
    values: dict[str, object] = {
        "attempts": OutboxMessage.attempts + 1,
        "last_error": error[:2000],
        "leased_until": None,
    }
    if retry_at is None:
        values["state"] = DeliveryState.FAILED
        # When it gave up: the retention period of a given-up row counts from here.
        values["next_attempt_at"] = utcnow()
    else:
        values["next_attempt_at"] = retry_at
    db.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


def mark_dropped(db: Session, message_id: int, reason: str) -> None:
    """Record that a mail will not be sent; what it said is removed from the row."""
    row = db.get(OutboxMessage, message_id)
    if row is None:
        return
    # Only the address and what it was about stay, for the operator's record; the text
    # showed what the receiver may no longer see.
    row.payload = {key: row.payload[key] for key in ("to", "about") if key in row.payload}
    row.state = DeliveryState.DROPPED
    row.attempts += 1
    row.last_error = reason[:2000]
    row.leased_until = None
    # When it was dropped: the retention period counts from here, as for a given-up row.
    row.next_attempt_at = utcnow()
