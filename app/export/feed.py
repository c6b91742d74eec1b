"""The incremental feed: one row per project at the position of its latest change, tamper-
evident cursors, and the webhook fan-out of every change."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import DomainError
from app.export import audience as readers
from app.export import webhooks
from app.export.audience import PUBLIC, Audience, Reader
from app.export.models import FeedCounter, FeedEntry
from app.i18n import N_

CURSOR_VERSION = 1


class BadFeedParameter(DomainError):
    status_code = 400
    default_message = N_("Ungültiger Parameter.")


def _sign(secret: bytes, payload: bytes) -> str:
    mac = hmac.new(secret, b"feed-cursor:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def encode_cursor(settings: Settings, seq: int, view: str | None = None) -> str:
    """An opaque cursor for "everything after seq", signed with the installation's key;
    `view` is the fingerprint of a filter the cursor belongs to (app.export.feed_filters)."""
    content: dict[str, Any] = {"v": CURSOR_VERSION, "s": seq}
    if view is not None:
        content["f"] = view
    payload = base64.urlsafe_b64encode(json.dumps(content, separators=(",", ":")).encode()).rstrip(
        b"="
    )
    return f"{payload.decode()}.{_sign(settings.secret, payload)}"


def decode_cursor(settings: Settings, cursor: str, view: str | None = None) -> int:
    """The sequence number in a cursor; BadFeedParameter if malformed, altered, foreign or
    made for another filter than `view`."""
    bad = BadFeedParameter(
        "The cursor is malformed, was altered or comes from another installation; "
        "start again without `since`."
    )
    # Cursors are ASCII; compare_digest refuses other text with a TypeError (a 500).
    if len(cursor) > 200 or not cursor.isascii() or cursor.count(".") != 1:
        raise bad
    payload, signature = cursor.split(".")
    if not hmac.compare_digest(_sign(settings.secret, payload.encode()), signature):
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
        raise bad
    seq = data.get("s")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise bad
    if data.get("f") != view:
        raise BadFeedParameter(
            "The cursor belongs to another filter (uses_ai, land, field_of_action); use it "
            "with the same filter, or start again without `since`."
        )
    return seq


def _next_seq(db: Session) -> int:
    """Take the next sequence number. The row lock is held until our commit, so numbers
    are handed out in commit order (PostgreSQL: FOR UPDATE; SQLite: one writer)."""
    counter = db.scalars(
        select(FeedCounter).where(FeedCounter.id == 1).with_for_update()
    ).one_or_none()
    if counter is None:
        counter = FeedCounter(id=1, value=0)
        db.add(counter)
        db.flush()
    counter.value += 1
    db.flush()
    return counter.value


def put(
    db: Session,
    settings: Settings,
    publication_id: str,
    item: dict[str, Any],
    *,
    deleted: bool,
    event: str,
    at: dt.datetime,
    audience: Audience | None = None,
    notify_unchanged: bool = True,
) -> FeedEntry:
    """Make `item` the project's current public state and tell every webhook endpoint of
    a partner that reads it, or that had it and no longer may (app.export.audience).

    `audience` None keeps the entry's readers (a new entry: everyone). `at` is the moment
    the caller put into the item (`modified`, and `created` on a first release): the
    entry's timestamps are that same clock reading, so a later version or the tombstone,
    built from `created_at`, repeats exactly what partners already have.
    `notify_unchanged` False: readers who keep reading the same item get no webhook (the
    owners only took destinations away)."""
    now = at
    seq = _next_seq(db)
    entry = db.get(FeedEntry, publication_id)
    before = readers.current(db, entry)
    had = readers.received(db, entry)
    fresh = entry is None
    if entry is None:
        entry = FeedEntry(
            publication_id=publication_id,
            seq=seq,
            deleted=deleted,
            item=item,
            created_at=now,
            modified_at=now,
        )
        db.add(entry)
        db.flush()
    else:
        entry.seq = seq
        entry.deleted = deleted
        entry.item = item
        entry.modified_at = now
    if fresh or audience is not None:
        readers.apply(db, entry, audience or readers.EVERYONE, fresh=fresh)
    db.flush()
    after = readers.current(db, entry)
    _notify(db, entry, event, at, before=before, had=had, after=after, unchanged=notify_unchanged)
    return entry


def _notify(
    db: Session,
    entry: FeedEntry,
    event: str,
    at: dt.datetime,
    *,
    before: Audience,
    had: Audience,
    after: Audience,
    unchanged: bool,
) -> None:
    """Queue each endpoint's webhook: the item for readers (published for new ones), a
    tombstone for those who had it and no longer read it."""
    messages: dict[tuple[str, bool], list[int]] = {}
    for endpoint_id, partner_id in webhooks.active_endpoints(db):
        if entry.deleted:
            if had.reads(partner_id):
                messages.setdefault((event, False), []).append(endpoint_id)
        elif after.reads(partner_id):
            if before.reads(partner_id) and not unchanged:
                continue
            kind = event if before.reads(partner_id) else "project.published"
            messages.setdefault((kind, False), []).append(endpoint_id)
        elif before.reads(partner_id):
            messages.setdefault(("project.withdrawn", True), []).append(endpoint_id)
    for (kind, gone), endpoint_ids in messages.items():
        body = readers.tombstone_of(entry) if gone else entry.item
        webhooks.enqueue(db, kind, body, at=at, endpoint_ids=endpoint_ids)


def get(db: Session, publication_id: str) -> FeedEntry | None:
    """The current public state of one project, if it was ever published."""
    return db.get(FeedEntry, publication_id)


@dataclass(frozen=True)
class FeedSlice:
    entries: list[FeedEntry]
    last_seq: int
    has_more: bool


def after(db: Session, seq: int, limit: int, reader: Reader = PUBLIC) -> FeedSlice:
    """Entries the reader sees, changed after `seq`, in order of change."""
    rows = list(
        db.scalars(
            select(FeedEntry)
            .where(FeedEntry.seq > seq, readers.readable(reader))
            .order_by(FeedEntry.seq)
            .limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return FeedSlice(rows, rows[-1].seq if rows else seq, has_more)


def modified_since(
    db: Session, moment: dt.datetime, limit: int, reader: Reader = PUBLIC
) -> FeedSlice:
    """Entries the reader sees, changed at or after a moment, in order of change."""
    first = db.scalar(
        select(FeedEntry.seq)
        .where(FeedEntry.modified_at >= moment, readers.readable(reader))
        .order_by(FeedEntry.seq)
        .limit(1)
    )
    if first is None:
        return FeedSlice([], current_seq(db), False)
    return after(db, first - 1, limit, reader)


def current_seq(db: Session) -> int:
    """The highest sequence number in the feed (0 when empty)."""
    return db.scalar(select(FeedEntry.seq).order_by(FeedEntry.seq.desc()).limit(1)) or 0


def latest(db: Session, *, offset: int, limit: int, reader: Reader = PUBLIC) -> list[FeedEntry]:
    """The most recent changes the reader sees first (the Atom feed's pages)."""
    return list(
        db.scalars(
            select(FeedEntry)
            .where(readers.readable(reader))
            .order_by(FeedEntry.seq.desc())
            .offset(offset)
            .limit(limit)
        )
    )


def count(db: Session, *, limit: int, reader: Reader = PUBLIC) -> int:
    """How many projects the reader sees, counting at most `limit` (cheap when bounded)."""

    rows = select(literal(1)).select_from(FeedEntry).where(readers.readable(reader)).limit(limit)
    return db.scalar(select(func.count()).select_from(rows.subquery())) or 0
