"""Notifications about dates (issue 20, part 6): a new or changed date tells those who
follow its owner, in the app and in the daily digest: a Vorhaben's followers, a circle's
active members (for a date of the circle or of one of its topics). Never the one who
entered or changed it, never someone who may not see it: checked here, again whenever the
notification is shown or a digest is made (app.notifications.scope), and once more when the
digest leaves (app.notifications.delivery_check)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account, AccountState
from app.circles.models import Topic
from app.dates.models import Termin
from app.notifications.models import Notification, NotificationKind
from app.vorhaben.models import Follow, Vorhaben
from app.vorhaben.visibility import ReaderColumns, can_see, circle_content_clause

TERMIN_KINDS = (NotificationKind.TERMIN_NEW, NotificationKind.TERMIN_CHANGED)


def path(notification: Notification, circle_id: int | None, topic_circle_id: int | None) -> str:
    """Where a date's notification leads: its owner's page, at the date (`circle_id` is
    the date's circle, `topic_circle_id` its topic's)."""
    if notification.vorhaben_id is not None:
        page = f"/vorhaben/{notification.vorhaben_id}"
    elif notification.topic_id is not None:
        page = f"/kreise/{topic_circle_id}/themen/{notification.topic_id}"
    else:
        page = f"/kreise/{circle_id}"
    return f"{page}#termin-{notification.termin_id}"


@dataclass
class DigestDates:
    """The dates a digest lists: (title, where it belongs, path), once each, and what the
    receiver must still see when the mail leaves (app.notifications.delivery_check)."""

    entries: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    vorhaben: set[int] = field(default_factory=set)
    circles: set[int] = field(default_factory=set)

    def take(
        self,
        notification: Notification,
        termin: Termin | None,
        vorhaben: Vorhaben | None,
        topic: Topic | None,
        circle_name: str | None,
    ) -> bool:
        """Take a digest row if it is about a date; whether it was."""
        if termin is None:
            return False
        topic_circle_id = topic.circle_id if topic is not None else None
        if vorhaben is not None:
            self.vorhaben.add(vorhaben.id)
            owner = vorhaben.title
        else:
            self.circles.add(termin.circle_id or topic_circle_id or 0)
            owner = topic.title if topic is not None else circle_name or ""
        self.entries[termin.id] = (
            termin.title,
            owner,
            path(notification, termin.circle_id, topic_circle_id),
        )
        return True

    def listed(self) -> list[tuple[str, str, str]]:
        return list(self.entries.values())


def _readers_of_vorhaben(db: Session, vorhaben: Vorhaben, actor_id: int) -> list[Account]:
    followers = select(Follow.account_id).where(Follow.vorhaben_id == vorhaben.id)
    accounts = db.scalars(
        select(Account).where(
            Account.id.in_(followers),
            Account.id != actor_id,
            Account.state == AccountState.APPROVED,
        )
    )
    return [account for account in accounts if can_see(account, vorhaben)]


def _members_of_circle(db: Session, circle_id: int, actor_id: int) -> list[Account]:
    # The circle's rule in SQL, for every candidate account at once.
    reader = ReaderColumns(id=Account.id, municipality_id=Account.municipality_id)
    return list(
        db.scalars(
            select(Account).where(
                Account.id != actor_id,
                Account.state == AccountState.APPROVED,
                circle_content_clause(reader, circle_id),
            )
        )
    )


def termin_saved(db: Session, event: events.TerminSaved) -> None:
    """A date was entered or changed: its owner's followers hear of it (an unread
    notification about the same date is not repeated)."""
    termin = db.get(Termin, event.termin_id)
    if termin is None:
        return
    if termin.vorhaben_id is not None:
        vorhaben = db.get(Vorhaben, termin.vorhaben_id)
        receivers = _readers_of_vorhaben(db, vorhaben, event.actor_id) if vorhaben else []
    else:
        circle_id = termin.circle_id
        if termin.topic_id is not None:
            topic = db.get(Topic, termin.topic_id)
            circle_id = topic.circle_id if topic is not None else None
        receivers = _members_of_circle(db, circle_id, event.actor_id) if circle_id else []
    if not receivers:
        return
    waiting = set(
        db.scalars(
            select(Notification.account_id).where(
                Notification.termin_id == termin.id, Notification.read_at.is_(None)
            )
        )
    )
    kind = NotificationKind.TERMIN_NEW if event.new else NotificationKind.TERMIN_CHANGED
    for receiver in receivers:
        if receiver.id in waiting:
            continue
        db.add(
            Notification(
                account_id=receiver.id,
                kind=kind,
                vorhaben_id=termin.vorhaben_id,
                topic_id=termin.topic_id,
                termin_id=termin.id,
                actor_id=event.actor_id,
            )
        )
    db.flush()
