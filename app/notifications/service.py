"""Notifications: who hears of a comment, a reply, a signal or a stage change, in the app
and by mail (immediately or in a daily digest). Every receiver is checked against the
visibility rule when the notification is made, whenever it is shown, when it is mailed, and
again when the mail leaves (app.notifications.delivery_check.still_meant_for)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, Select, func, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, MailMode, shown_name
from app.circles.models import Circle, Topic
from app.comments import links as comment_links
from app.comments.models import Comment
from app.config import Settings
from app.core.clock import BERLIN, utcnow
from app.core.markdown import plain_text
from app.core.pagination import Page, decode_keyset, encode_keyset
from app.dates.models import Termin
from app.municipalities.models import Municipality, distinct_name
from app.notifications import dates as date_notifications
from app.notifications import mentions, scope
from app.notifications.models import (
    MUNICIPALITY_COMMENTS_DEFAULT,
    MUNICIPALITY_SIGNALS_DEFAULT,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from app.notifications.topics import topic_path
from app.outbox import mail
from app.vorhaben.models import (
    SIGNAL_LABELS,
    STAGE_LABELS,
    Follow,
    Signal,
    Stage,
    Vorhaben,
    VorhabenContact,
)
from app.vorhaben.visibility import (
    Reader,
    ReaderColumns,
    can_see,
    can_see_comment,
)

DIGEST_HOUR = 7  # Europe/Berlin: digests leave in the morning


def _receivers(
    db: Session, vorhaben: Vorhaben, account_ids: Iterable[int], actor_id: int
) -> list[Account]:
    ids = {account_id for account_id in account_ids if account_id and account_id != actor_id}
    if not ids:
        return []
    accounts = db.scalars(
        select(Account).where(Account.id.in_(ids), Account.state == AccountState.APPROVED)
    )
    return [account for account in accounts if can_see(account, vorhaben)]


def _followers(db: Session, vorhaben_id: int) -> list[int]:
    return list(db.scalars(select(Follow.account_id).where(Follow.vorhaben_id == vorhaben_id)))


def _colleagues(db: Session, vorhaben: Vorhaben, *, signals: bool) -> list[int]:
    """Members of the owning municipality who chose to hear of signals (or comments) on
    all its Vorhaben; _receivers() then applies the visibility rule to each."""
    chosen = (
        NotificationSettings.municipality_signals
        if signals
        else NotificationSettings.municipality_comments
    )
    default = MUNICIPALITY_SIGNALS_DEFAULT if signals else MUNICIPALITY_COMMENTS_DEFAULT
    return list(
        db.scalars(
            select(Account.id)
            .outerjoin(NotificationSettings, NotificationSettings.account_id == Account.id)
            .where(
                Account.municipality_id == vorhaben.municipality_id,
                Account.state == AccountState.APPROVED,
                func.coalesce(chosen, default).is_(True),
            )
        )
    )


def _notify(
    db: Session,
    settings: Settings,
    receivers: list[Account],
    kind: NotificationKind,
    vorhaben: Vorhaben,
    actor: Account,
    *,
    comment: Comment | None = None,
    signal: Signal | None = None,
    stage: Stage | None = None,
    excerpt: str = "",
) -> None:
    signalling = db.get(Municipality, signal.municipality_id) if signal is not None else None
    for receiver in receivers:
        row = Notification(
            account_id=receiver.id,
            kind=kind,
            vorhaben_id=vorhaben.id,
            comment_id=comment.id if comment else None,
            signal_id=signal.id if signal else None,
            actor_id=actor.id,
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
                    "vorhaben": vorhaben,
                    "actor": actor,
                    "excerpt": plain_text(comment.body, 400) if comment else excerpt,
                    "signal": signal,
                    "signalling": signalling.display_name if signalling else "",
                    "stage": STAGE_LABELS[vorhaben.stage] if stage else "",
                    # A comment by its lasting address: it leads to the page of the
                    # discussion that holds the comment when the mail is read.
                    "path": comment_links.permanent(comment.id)
                    if comment
                    else f"/vorhaben/{vorhaben.id}",
                },
                about=(
                    receiver.id,
                    mail.About(vorhaben=[vorhaben.id], comments=[comment.id] if comment else []),
                ),
            )
    db.flush()


def commented(
    db: Session,
    settings: Settings,
    vorhaben: Vorhaben,
    comment: Comment,
    author: Account,
    parent: Comment | None,
) -> None:
    """Followers (and colleagues who chose so) hear of a comment; the author of the
    thread hears of a reply."""
    parent_author = parent.author_id if parent is not None else None
    receivers = _receivers(
        db,
        vorhaben,
        [
            *_followers(db, vorhaben.id),
            *_colleagues(db, vorhaben, signals=False),
            parent_author or 0,
        ],
        author.id,
    )
    # Whom the comment names hears of that, and of nothing else about it.
    named = {account.id for account in _mentioned(db, settings, vorhaben, comment, author)}
    replies = [a for a in receivers if a.id == parent_author and a.id not in named]
    others = [a for a in receivers if a.id != parent_author and a.id not in named]
    _notify(db, settings, replies, NotificationKind.REPLY, vorhaben, author, comment=comment)
    _notify(db, settings, others, NotificationKind.COMMENT, vorhaben, author, comment=comment)


def _mentioned(
    db: Session, settings: Settings, vorhaben: Vorhaben, comment: Comment, author: Account
) -> list[Account]:
    named = mentions.newly_mentioned(
        db,
        object_type="comment",
        object_id=comment.id,
        source=comment.body,
        author_id=author.id,
        may_see=lambda account: can_see(account, vorhaben) and can_see_comment(account, comment),
    )
    _notify(db, settings, named, NotificationKind.MENTION, vorhaben, author, comment=comment)
    return named


def comment_edited(
    db: Session, settings: Settings, vorhaben: Vorhaben, comment: Comment, author: Account
) -> None:
    """Members an edited comment names for the first time hear of it (only they)."""
    if not comment.is_deleted:
        _mentioned(db, settings, vorhaben, comment, author)


def signal_given(
    db: Session, settings: Settings, vorhaben: Vorhaben, signal: Signal, actor: Account
) -> None:
    """The author, the contact persons and the colleagues (unless they opted out) hear of
    a cooperation signal."""
    contacts = db.scalars(
        select(VorhabenContact.account_id).where(VorhabenContact.vorhaben_id == vorhaben.id)
    )
    receivers = _receivers(
        db,
        vorhaben,
        [vorhaben.author_id or 0, *contacts, *_colleagues(db, vorhaben, signals=True)],
        actor.id,
    )
    _notify(
        db,
        settings,
        receivers,
        NotificationKind.SIGNAL,
        vorhaben,
        actor,
        signal=signal,
        excerpt=signal.note or "",
    )


def signal_answered(
    db: Session, settings: Settings, vorhaben: Vorhaben, signal: Signal, actor: Account
) -> None:
    """The member who gave a signal hears that the owners answered its note."""
    receivers = _receivers(db, vorhaben, [signal.account_id or 0], actor.id)
    _notify(
        db,
        settings,
        receivers,
        NotificationKind.SIGNAL_REPLY,
        vorhaben,
        actor,
        signal=signal,
        excerpt=signal.reply or "",
    )


def stage_changed(
    db: Session, settings: Settings, vorhaben: Vorhaben, actor: Account, previous: Stage
) -> None:
    """Followers hear that a Vorhaben moved to another stage."""
    receivers = _receivers(db, vorhaben, _followers(db, vorhaben.id), actor.id)
    _notify(db, settings, receivers, NotificationKind.STAGE, vorhaben, actor, stage=vorhaben.stage)


# -- reading -------------------------------------------------------------------------------


def _unread(reader: Reader) -> Select[int]:
    return (
        select(func.count())
        .select_from(Notification)
        .outerjoin(Vorhaben, Vorhaben.id == Notification.vorhaben_id)
        .where(
            Notification.account_id == reader.id,
            Notification.read_at.is_(None),
            scope.about_visible(reader),
            scope.comment_visible(reader),
        )
    )


def unread_count(db: Session, reader: Account) -> int:
    """Unread notifications about Vorhaben the reader (still) may see (every page's header)."""
    return db.scalar(_unread(reader)) or 0


def unread_count_column() -> ScalarSelect[int]:
    """unread_count() as a column of a query that loads an account (`accounts`): the page
    header's count comes with the session lookup, in the same statement."""
    reader = ReaderColumns(Account.id, Account.municipality_id)
    return _unread(reader).correlate(Account).scalar_subquery()


@dataclass(frozen=True)
class Item:
    notification: Notification
    vorhaben_title: str
    actor_name: str
    excerpt: str
    signal_label: str
    stage_label: str
    signalling: str = ""  # the municipality a signal came from
    topic_title: str = ""  # a circle's topic (app.notifications.topics), and its circle
    circle_name: str = ""
    path: str = ""  # where a topic's (or a date's) notification leads
    termin_title: str = ""  # a date (app.notifications.dates)


def page(db: Session, reader: Account, *, after: str | None = None, limit: int = 50) -> Page[Item]:
    """One page of the reader's notifications, newest first, after a keyset cursor."""
    query = (
        select(
            Notification,
            Vorhaben.title,
            Vorhaben.stage,
            Account.display_name,
            Account.state,
            Comment.body,
            Comment.deleted_at,
            Signal.kind,
            Signal.note,
            Signal.reply,
            Municipality.name.label("signalling"),
            Municipality.level.label("signalling_level"),
            Municipality.kind_code.label("signalling_kind"),
            Topic.title.label("topic_title"),
            Topic.circle_id,
            Circle.name.label("circle_name"),
            Termin.title.label("termin_title"),
            Termin.circle_id.label("termin_circle_id"),
        )
        .outerjoin(Vorhaben, Vorhaben.id == Notification.vorhaben_id)
        .outerjoin(Topic, Topic.id == Notification.topic_id)
        .outerjoin(Termin, Termin.id == Notification.termin_id)
        .outerjoin(Circle, Circle.id == func.coalesce(Topic.circle_id, Termin.circle_id))
        .outerjoin(Account, Account.id == Notification.actor_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .outerjoin(Signal, Signal.id == Notification.signal_id)
        .outerjoin(Municipality, Municipality.id == Signal.municipality_id)
        .where(
            Notification.account_id == reader.id,
            scope.about_visible(reader),
            scope.comment_visible(reader),
        )
    )
    cursor = decode_keyset(after)
    if cursor is not None:
        stamp, last_id = cursor
        query = query.where(
            (Notification.created_at < stamp)
            | ((Notification.created_at == stamp) & (Notification.id < last_id))
        )
    rows = db.execute(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit + 1)
    ).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1].Notification
        next_cursor = encode_keyset(last.created_at, last.id)
    items = []
    for row in rows:
        actor = shown_name(row.display_name, row.state)
        excerpt = "" if row.body is None or row.deleted_at else plain_text(row.body, 160)
        if row.Notification.kind is NotificationKind.SIGNAL:
            excerpt = row.note or ""  # the receivers are the owning municipality's
        elif row.Notification.kind is NotificationKind.SIGNAL_REPLY:
            excerpt = row.reply or ""
        items.append(
            Item(
                row.Notification,
                row.title or "",
                actor,
                excerpt,
                SIGNAL_LABELS[row.kind] if row.kind else "",
                STAGE_LABELS[row.stage] if row.stage else "",
                distinct_name(row.signalling, row.signalling_level, row.signalling_kind)
                if row.signalling
                else "",
                row.topic_title or "",
                row.circle_name or "",
                _path(row),
                row.termin_title or "",
            )
        )
    return Page(items, next_cursor)


def _path(row: Any) -> str:
    """Where a topic's or a date's notification leads (others link to their Vorhaben)."""
    n = row.Notification
    if n.termin_id is not None:
        return date_notifications.path(n, row.termin_circle_id, row.circle_id)
    if n.topic_id is not None:
        return topic_path(row.circle_id, n.topic_id, n.comment_id)
    return ""


def mark_read(db: Session, reader: Account, notification_id: int | None = None) -> None:
    """Mark one (or all) of the reader's notifications as read."""
    statement = update(Notification).where(
        Notification.account_id == reader.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        statement = statement.where(Notification.id == notification_id)
    db.execute(statement.values(read_at=utcnow()))


# -- the daily digest --------------------------------------------------------------------------


def send_digests(db: Session, settings: Settings) -> int:
    """Once a day after 7:00 Berlin time: one mail per digest reader with what is new."""
    now = utcnow()
    if now.astimezone(BERLIN).hour < DIGEST_HOUR:
        return 0
    today = dt.datetime.combine(now.astimezone(BERLIN).date(), dt.time(DIGEST_HOUR), BERLIN)
    pending = (
        db.execute(
            select(Notification.account_id)
            .join(Account, Account.id == Notification.account_id)
            .where(
                Notification.mailed_at.is_(None),
                Notification.created_at < today,
                Account.mail_mode == MailMode.DIGEST,
                Account.state == AccountState.APPROVED,
            )
            .distinct()
        )
        .scalars()
        .all()
    )
    sent = 0
    for account_id in pending:
        reader = db.get(Account, account_id)
        if reader is None:
            continue
        rows = db.execute(
            select(Notification, Vorhaben, Topic, Circle.name, Termin)
            .outerjoin(Vorhaben, Vorhaben.id == Notification.vorhaben_id)
            .outerjoin(Topic, Topic.id == Notification.topic_id)
            .outerjoin(Termin, Termin.id == Notification.termin_id)
            .outerjoin(Circle, Circle.id == func.coalesce(Topic.circle_id, Termin.circle_id))
            .where(
                Notification.account_id == reader.id,
                Notification.mailed_at.is_(None),
                Notification.created_at < today,
                scope.about_visible(reader),
                scope.comment_visible(reader),
            )
            .order_by(Notification.created_at)
        ).all()
        if rows:
            by_vorhaben: dict[int, tuple[Vorhaben, int]] = {}
            # New Vorhaben in what the reader follows (alerts) are listed on their own.
            new: dict[int, Vorhaben] = {}
            # A circle's topics: (topic, its circle's name, how many), by topic.
            by_topic: dict[int, tuple[Topic, str, int]] = {}
            termine = date_notifications.DigestDates()
            for row in rows:
                if termine.take(row.Notification, row.Termin, row.Vorhaben, row.Topic, row.name):
                    continue
                if row.Topic is not None:
                    _, _, seen = by_topic.get(row.Topic.id, (row.Topic, "", 0))
                    by_topic[row.Topic.id] = (row.Topic, row.name, seen + 1)
                    continue
                if row.Notification.kind is NotificationKind.ALERT_NEW:
                    new[row.Vorhaben.id] = row.Vorhaben
                    continue
                vorhaben, count = by_vorhaben.get(row.Vorhaben.id, (row.Vorhaben, 0))
                by_vorhaben[vorhaben.id] = (vorhaben, count + 1)
            mail.send(
                db,
                settings,
                to=reader.email,
                locale=reader.locale,
                name="digest",
                context={
                    "receiver": reader,
                    "entries": list(by_vorhaben.values()),
                    "new_vorhaben": list(new.values()),
                    "topics": list(by_topic.values()),
                    "termine": termine.listed(),
                    "total": len(rows),
                },
                # The digest names each Vorhaben; its comments count towards what it lists.
                about=(
                    reader.id,
                    mail.About(
                        vorhaben=[*by_vorhaben, *new, *termine.vorhaben],
                        comments=[
                            row.Notification.comment_id
                            for row in rows
                            if row.Notification.comment_id is not None
                        ],
                        circles=sorted(termine.circles),
                    ),
                ),
            )
            sent += 1
        db.execute(
            update(Notification)
            .where(
                Notification.account_id == reader.id,
                Notification.mailed_at.is_(None),
                Notification.created_at < today,
            )
            .values(mailed_at=now)
        )
    return sent
