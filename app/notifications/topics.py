"""Notifications about a circle's topics (issue 19, part 2): the topic's author and
everyone who commented on it follow it; a new comment tells them, in the app and by mail
(immediately, or in the daily digest), never its own author and never someone who is no
longer an active member of the circle (checked here, whenever the notification is shown,
and again when the mail leaves: app.notifications.delivery_check)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, MailMode
from app.circles.models import Circle, Topic
from app.comments import links as comment_links
from app.comments.models import Comment
from app.config import Settings
from app.core.clock import utcnow
from app.core.markdown import plain_text
from app.notifications import mentions
from app.notifications.models import Notification, NotificationKind
from app.outbox import mail
from app.vorhaben.visibility import can_see_comment, can_see_topic

# Mentions in a topic's comment (app.notifications.mentions; erasure reads them too).
MENTION_TYPE = "topic_comment"


def topic_path(circle_id: int, topic_id: int, comment_id: int | None = None) -> str:
    """The topic's page, at the comment when one is named."""
    anchor = f"#kommentar-{comment_id}" if comment_id is not None else ""
    return f"/kreise/{circle_id}/themen/{topic_id}{anchor}"


def followers(db: Session, topic: Topic) -> set[int]:
    """Who follows a topic: its author and everyone who commented on it."""
    commenters = db.scalars(
        select(Comment.author_id).where(Comment.topic_id == topic.id).distinct()
    )
    return {key for key in (topic.author_id, *commenters) if key is not None}


def commented(
    db: Session, settings: Settings, topic: Topic, comment: Comment, author: Account
) -> None:
    """Members the comment names hear of that (and of nothing else about it); the topic's
    other followers who may still see it hear of a new comment."""
    named = _mentioned(db, settings, topic, comment, author)
    ids = followers(db, topic) - {author.id} - {account.id for account in named}
    if not ids:
        return
    receivers = [
        account
        for account in db.scalars(
            select(Account).where(Account.id.in_(ids), Account.state == AccountState.APPROVED)
        )
        if can_see_topic(account, topic)
    ]
    _notify(db, settings, receivers, NotificationKind.COMMENT, topic, comment, author)


def edited(
    db: Session, settings: Settings, topic: Topic, comment: Comment, author: Account
) -> None:
    """Members an edited comment names for the first time hear of it (only they), as on a
    Vorhaben."""
    if not comment.is_deleted:
        _mentioned(db, settings, topic, comment, author)


def _mentioned(
    db: Session, settings: Settings, topic: Topic, comment: Comment, author: Account
) -> list[Account]:
    """Tell the members the comment names for the first time who may see it; returns them."""
    named = mentions.newly_mentioned(
        db,
        object_type=MENTION_TYPE,
        object_id=comment.id,
        source=comment.body,
        author_id=author.id,
        may_see=lambda account: can_see_topic(account, topic) and can_see_comment(account, comment),
    )
    _notify(db, settings, named, NotificationKind.MENTION, topic, comment, author)
    return named


def _notify(
    db: Session,
    settings: Settings,
    receivers: list[Account],
    kind: NotificationKind,
    topic: Topic,
    comment: Comment,
    author: Account,
) -> None:
    if not receivers:
        return
    circle = db.get(Circle, topic.circle_id)
    for receiver in receivers:
        row = Notification(
            account_id=receiver.id,
            kind=kind,
            topic_id=topic.id,
            comment_id=comment.id,
            actor_id=author.id,
        )
        db.add(row)
        if receiver.mail_mode is MailMode.IMMEDIATE:
            row.mailed_at = utcnow()
            mail.send(
                db,
                settings,
                to=receiver.email,
                locale=receiver.locale,
                name="notification",
                context={
                    "receiver": receiver,
                    "kind": kind.value,
                    "topic": topic,
                    "circle_name": circle.name if circle is not None else "",
                    "actor": author,
                    "excerpt": plain_text(comment.body, 400),
                    # Lasting: it leads to the page of the topic that holds the comment
                    # when the mail is read (app.comments.links).
                    "path": comment_links.permanent(comment.id),
                },
                # The check before it leaves: the comment, and through it its topic.
                about=(receiver.id, mail.About(comments=[comment.id])),
            )
    db.flush()
