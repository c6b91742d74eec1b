"""Who hears of what: reactions to the events of comments and Vorhaben (subscribed by
app.wiring), made in the transaction that posted the comment, gave the signal or moved
the stage."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.circles.models import Topic
from app.comments.models import Comment, CommentRevision
from app.core import markdown
from app.notifications import alert_fanout, mentions, message_mentions, service, topics
from app.notifications import dates as date_notifications
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


def comment_edited(db: Session, event: events.CommentEdited) -> None:
    """Members an edited comment names for the first time hear of it."""
    comment = _load(db, Comment, event.comment_id)
    author = _load(db, Account, event.author_id)
    if comment.vorhaben_id is None:  # a circle's topic's comment
        topic = _load(db, Topic, comment.topic_id or 0)
        topics.edited(db, event.settings, topic, comment, author)
        return
    service.comment_edited(
        db,
        event.settings,
        _load(db, Vorhaben, comment.vorhaben_id),
        comment,
        author,
    )


def signal_answered(db: Session, event: events.SignalAnswered) -> None:
    """The signaller hears of the owners' answer."""
    service.signal_answered(
        db,
        event.settings,
        _load(db, Vorhaben, event.vorhaben_id),
        _load(db, Signal, event.signal_id),
        _load(db, Account, event.actor_id),
    )


def account_erased(db: Session, event: events.AccountErased) -> None:
    """The erased member's name leaves the comments and messages that mention them."""
    message_mentions.forget_name(db, event.account_id)
    for comment in db.scalars(
        select(Comment).where(
            Comment.id.in_(
                [
                    *mentions.mentioning(db, event.account_id, "comment"),
                    *mentions.mentioning(db, event.account_id, topics.MENTION_TYPE),
                ]
            )
        )
    ):
        changed = mentions.without_name(comment.body, event.account_id)
        if changed != comment.body:
            comment.body = changed
            comment.body_html = markdown.render(changed)
        for revision in db.scalars(
            select(CommentRevision).where(CommentRevision.comment_id == comment.id)
        ):
            revision.body = mentions.without_name(revision.body, event.account_id)
        db.flush()
        events.publish(db, events.CommentChanged(comment.id))


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
    events.subscribe(events.CommentEdited, comment_edited)
    events.subscribe(events.SignalAnswered, signal_answered)
    events.subscribe(events.AccountErased, account_erased)
    events.subscribe(events.StageChanged, stage_changed)
    events.subscribe(events.StageChanged, alert_stage_changed)
    events.subscribe(events.VorhabenCreated, vorhaben_created)
    events.subscribe(events.TerminSaved, date_notifications.termin_saved)
