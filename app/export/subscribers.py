"""What the export does when something it published changes underneath it: reactions to
the events of Vorhaben and accounts (subscribed by app.wiring), in the same transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.export import erasure, files, withdrawal


def vorhaben_going_away(db: Session, event: events.VorhabenGoingAway) -> None:
    """Deleted, restricted or hidden: a live publication becomes a tombstone, a waiting
    submission leaves the queue."""
    actor = db.get(Account, event.actor_id) if event.actor_id is not None else None
    withdrawal.vorhaben_going_away(db, event.settings, event.vorhaben_id, actor, event.reason)


def account_erased(db: Session, event: events.AccountErased) -> None:
    """An erased member leaves every publication that names them as contact."""
    erasure.republish_without(db, event.settings, event.account_id)


def subscribe() -> None:
    events.subscribe(events.VorhabenGoingAway, vorhaben_going_away)
    events.subscribe(events.AccountErased, account_erased)
    events.subscribe(events.AttachmentsDeleted, files.attachments_deleted)
