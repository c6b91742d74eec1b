"""The feed API's rate limits, on the shared counters of app.web.ratelimit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.web import ratelimit
from app.web.ratelimit import without_flush_to_disk

__all__ = ["check", "without_flush_to_disk"]

# Partners read the API's errors in English (CONTRACT.md: JSON errors for machines).
MESSAGE = "Too many requests; retry after the given seconds."


def check(db: Session, limits: dict[str, int]) -> None:
    """Count one feed request in every bucket; RateLimited (429) beyond a limit."""
    ratelimit.check(db, limits, MESSAGE)
