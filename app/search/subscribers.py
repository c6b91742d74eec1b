"""Keeping the search index current: reactions to the events of comments and Vorhaben
(subscribed by app.wiring), inside the transaction that changed the content."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app import events
from app.comments.models import Comment
from app.search import index
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import scope_of


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


def scope_changed(db: Session, _context: Any, _instances: Any) -> None:
    """Before a flush writes a Vorhaben whose visibility or moderation state changed (by any
    code path: the form, moderation, an import), copy its new scope onto its index rows in
    the same transaction (app.vorhaben.visibility.scoped_visible_clause relies on it)."""
    for item in list(db.dirty):
        if not isinstance(item, Vorhaben):
            continue
        state = inspect(item)
        if any(state.attrs[name].history.has_changes() for name in ("visibility", "hidden_at")):
            index.update_scope(db, item.id, scope_of(item.visibility, item.hidden_at))


def subscribe() -> None:
    if not event.contains(Session, "before_flush", scope_changed):
        event.listen(Session, "before_flush", scope_changed)
    events.subscribe(events.CommentPosted, comment_written)
    events.subscribe(events.CommentChanged, comment_written)
    events.subscribe(events.VorhabenChanged, vorhaben_changed)
