"""Which of a member's notifications they may see: those about a Vorhaben, a circle's
topic or a circle's date they (still) may see, and not about a comment the moderators hid
(the choke point's rules, app.vorhaben.visibility, applied to the notification's rows)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.circles.models import Topic
from app.comments.models import Comment
from app.dates.models import Termin
from app.notifications.models import Notification
from app.vorhaben.visibility import (
    Reader,
    circle_content_clause,
    comment_visible_clause,
    topic_visible_clause,
    visible_clause,
)

# An alias, as the outer query may join comments itself; built once, since adapting the
# columns of a new alias on every page cost more than the count query itself.
_NOTIFIED_COMMENT = aliased(Comment, name="notified_comment")


def comment_visible(reader: Reader) -> Any:
    """Notifications about a comment the moderators hid disappear with it (the choke
    point's comment rule, applied to the notification's comment)."""
    # Correlated, so each notification looks up its own comment by key; a NOT IN over all
    # hidden comments made PostgreSQL plan a scan of every comment (and JIT-compile it).
    comment = _NOTIFIED_COMMENT
    unreadable = (
        select(comment.id)
        .where(comment.id == Notification.comment_id, ~comment_visible_clause(reader, comment))
        .correlate_except(comment)  # the notification, and the reader's row if it is one
        .exists()
    )
    return or_(Notification.comment_id.is_(None), ~unreadable)


def about_visible(reader: Reader) -> Any:
    """What a notification is about may be seen: its Vorhaben (outer-joined by the caller)
    or its circle's topic (app.notifications.topics), or a circle's own date, which names
    neither (app.notifications.dates)."""
    topic = (
        select(Topic.id)
        .where(Topic.id == Notification.topic_id, topic_visible_clause(reader))
        .correlate_except(Topic)
        .exists()
    )
    circle_date = (
        select(Termin.id)
        .where(
            Termin.id == Notification.termin_id,
            Termin.circle_id.is_not(None),
            circle_content_clause(reader, Termin.circle_id),
        )
        .correlate_except(Termin)
        .exists()
    )
    return or_(
        Notification.vorhaben_id.is_not(None) & visible_clause(reader),
        Notification.topic_id.is_not(None) & topic,
        Notification.termin_id.is_not(None) & circle_date,
    )
