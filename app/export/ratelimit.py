"""Rate limits counted in the database, so they hold across every app process."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.errors import RateLimited
from app.export.models import RateCounter

WINDOW = dt.timedelta(minutes=1)


def _increment(db: Session, bucket: str, window: dt.datetime) -> int:
    dialect = db.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(RateCounter)
        .values(bucket=bucket, window_start=window, count=1)
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
    and saves a disk flush on every feed request."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL synchronous_commit = off"))


def check(db: Session, limits: dict[str, int]) -> None:
    """Count one request in every bucket; RateLimited (429) once a bucket is over its limit.

    The caller commits, also when this raises: the refused request counts too."""
    now = utcnow()
    window = now.replace(second=0, microsecond=0)
    counts = {bucket: _increment(db, bucket, window) for bucket in limits}
    if any(counts[bucket] > limit for bucket, limit in limits.items()):
        retry_after = max(1, int((window + WINDOW - now).total_seconds()) + 1)
        raise RateLimited(retry_after, "Too many requests; retry after the given seconds.")


def prune(db: Session, settings: object) -> int:
    """Drop counters of past windows (maintenance)."""
    result = db.execute(delete(RateCounter).where(RateCounter.window_start < utcnow() - WINDOW * 5))
    return int(getattr(result, "rowcount", 0) or 0)
