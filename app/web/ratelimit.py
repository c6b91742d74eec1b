"""Rate limits counted in the database, so they hold across every app process.

A counter is one row per bucket (a key, an address) and minute: however many requests a
client sends, it adds at most one row a minute, and rows of past minutes are pruned.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from sqlalchemy import Index, Integer, PrimaryKeyConstraint, String, delete, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.clock import utcnow
from app.core.errors import RateLimited
from app.db import Base, insert_for, separate_write

WINDOW = dt.timedelta(minutes=1)
KEPT_WINDOWS = 5
BUCKET_LENGTH = 100


class RateCounter(Base):
    """Requests of one key or address in one minute, shared by every app process."""

    __tablename__ = "rate_counters"
    __table_args__ = (
        PrimaryKeyConstraint("bucket", "window_start"),
        Index("ix_rate_counters_window_start", "window_start"),
    )

    bucket: Mapped[str] = mapped_column(String(BUCKET_LENGTH))
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(Integer, default=0)


def address_bucket(host: str | None) -> str:
    """The client an address stands for: an IPv6 address by its /64 (one host gets a whole
    /64 and could otherwise spend a fresh budget with every address), others as they are."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:60]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _increment(db: Session, bucket: str, window: dt.datetime) -> int:
    statement = (
        insert_for(db, RateCounter)
        .values(bucket=bucket[:BUCKET_LENGTH], window_start=window, count=1)
        .on_conflict_do_update(
            index_elements=[RateCounter.bucket, RateCounter.window_start],
            set_={"count": RateCounter.count + 1},
        )
        .returning(RateCounter.count)
    )
    return int(db.execute(statement).scalar_one())


def without_flush_to_disk(db: Session) -> None:
    """PostgreSQL: this transaction's commit need not wait for its WAL to reach the disk.
    A crash may forget the last few counted requests, which is harmless for a rate limit
    and saves a disk flush on every counted request."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))


def check(db: Session, limits: dict[str, int], message: str | None = None) -> None:
    """Count one request in every bucket; RateLimited (429) once a bucket is over its limit.

    The caller commits, also when this raises: the refused request counts too."""
    now = utcnow()
    window = now.replace(second=0, microsecond=0)
    counts = {bucket: _increment(db, bucket, window) for bucket in limits}
    if any(counts[bucket] > limit for bucket, limit in limits.items()):
        retry_after = max(1, int((window + WINDOW - now).total_seconds()) + 1)
        raise RateLimited(retry_after, message)


def check_now(db: Session, limits: dict[str, int]) -> None:
    """check() in a short write transaction of its own on the request's session, committed
    before the caller goes on (also when it refuses), with the counters of past minutes
    pruned in the same go."""
    refused: RateLimited | None = None
    with separate_write(db):
        without_flush_to_disk(db)
        prune(db)
        try:
            check(db, limits)
        except RateLimited as error:
            refused = error
    if refused is not None:
        raise refused


def prune(db: Session) -> int:
    """Drop counters of past windows (maintenance, and every check_now())."""
    cutoff = utcnow() - WINDOW * KEPT_WINDOWS
    result = db.execute(delete(RateCounter).where(RateCounter.window_start < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
