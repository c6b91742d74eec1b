"""Who hears of what: reactions to the events of comments and Vorhaben (subscribed by
app.wiring), made in the transaction that posted the comment, gave the signal or moved
the stage."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.comments.models import Comment
from app.notifications import alert_fanout, service
from app.notifications.models import NotificationKind
from app.vorhaben.models import Signal, Stage, Vorhaben

T = TypeVar("T")


def _load(db: Session, kind: type[T], key: int) -> T:
    row = db.get(kind, key)
    if row is None:  # published by the transaction that holds it: cannot be missing
        raise LookupError(f"{kind.__name__} {key} is gone")
    return row


def comment_posted(db: Session, event: events.CommentPosted) -> None:
    """Followers, colleagues and the thread's author hear of a comment or reply."""
    parent = db.get(Comment, event.parent_id) if event.parent_id is not None else None
    service.commented(
        db,
        event.settings,
        _load(db, Vorhaben, event.vorhaben_id),
        _load(db, Comment, event.comment_id),
        _load(db, Account, event.author_id),
        parent,
    )


def signal_given(db: Session, event: events.SignalGiven) -> None:
    """The Vorhaben's people hear of a cooperation signal."""
    service.signal_given(
        db,
        event.settings,
        _load(db, Vorhaben, event.vorhaben_id),
        _load(db, Signal, event.signal_id),
        _load(db, Account, event.actor_id),
    )


def stage_changed(db: Session, event: events.StageChanged) -> None:
    """Followers hear that a Vorhaben moved to another stage."""
    service.stage_changed(
        db,
        event.settings,
        _load(db, Vorhaben, event.vorhaben_id),
        _load(db, Account, event.actor_id),
        Stage(event.previous),
    )


def vorhaben_created(db: Session, event: events.VorhabenCreated) -> None:
    """Followers of its fields, tags and places hear of a new Vorhaben."""
    vorhaben = _load(db, Vorhaben, event.vorhaben_id)
    alert_fanout.fan_out(db, vorhaben, event.actor_id, NotificationKind.ALERT_NEW)


def alert_stage_changed(db: Session, event: events.StageChanged) -> None:
    """Followers of its fields, tags and places (who do not follow the Vorhaben itself)
    hear that a Vorhaben moved to another stage."""
    vorhaben = _load(db, Vorhaben, event.vorhaben_id)
    alert_fanout.fan_out(db, vorhaben, event.actor_id, NotificationKind.ALERT_STAGE)


def subscribe() -> None:
    events.subscribe(events.CommentPosted, comment_posted)
    events.subscribe(events.SignalGiven, signal_given)
    events.subscribe(events.StageChanged, stage_changed)
    events.subscribe(events.StageChanged, alert_stage_changed)
    events.subscribe(events.VorhabenCreated, vorhaben_created)
