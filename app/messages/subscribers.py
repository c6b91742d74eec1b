"""Reactions of direct messages to other domains' events (subscribed by app.wiring)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.messages import blocks, moderation


def account_erased(db: Session, event: events.AccountErased) -> None:
    """An erased member leaves every conversation and every block; what they wrote stays
    under "Ehemaliges Mitglied", as their comments do; their report texts go."""
    moderation.leave_all(db, event.account_id)
    blocks.forget(db, event.account_id)
    moderation.forget_reporter(db, event.account_id)


def subscribe() -> None:
    events.subscribe(events.AccountErased, account_erased)
