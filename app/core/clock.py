"""The one place that tells time, so tests can move it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

_offset = dt.timedelta(0)


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware."""
    return dt.datetime.now(dt.UTC) + _offset


def travel(delta: dt.timedelta) -> None:
    """Move the clock (tests only): later calls to utcnow() are shifted by delta."""
    global _offset  # noqa: PLW0603 - a deliberate process-wide test hook
    _offset += delta


def reset() -> None:
    """Undo every travel() (tests only)."""
    global _offset  # noqa: PLW0603
    _offset = dt.timedelta(0)


def to_berlin(value: dt.datetime) -> dt.datetime:
    """A UTC timestamp as wall-clock time in Germany."""
    return value.astimezone(BERLIN)
