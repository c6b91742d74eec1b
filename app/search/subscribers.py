"""Keeping the search index current: reactions to the events of comments and Vorhaben
(subscribed by app.wiring), inside the transaction that changed the content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import events
from app.comments.models import Comment
from app.search import index
from app.vorhaben.models import Vorhaben


def comment_written(db: Session, event: events.CommentPosted | events.CommentChanged) -> None:
    """A comment was posted, edited, deleted, hidden or shown again: (re)index it."""
    comment = db.get(Comment, event.comment_id)
    if comment is None:
        index.remove_comment(db, event.comment_id)
        return
    index.index_comment(db, comment)


def vorhaben_changed(db: Session, event: events.VorhabenChanged) -> None:
    """A Vorhaben's text was written: (re)index it and its words for similar Vorhaben."""
    vorhaben = db.get(Vorhaben, event.vorhaben_id)
    if vorhaben is not None:
        index.index_vorhaben(db, vorhaben, list(event.tags))


def subscribe() -> None:
    events.subscribe(events.CommentPosted, comment_written)
    events.subscribe(events.CommentChanged, comment_written)
    events.subscribe(events.VorhabenChanged, vorhaben_changed)
