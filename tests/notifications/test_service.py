"""Who hears of what: followers, thread authors, owners; immediately or as a digest."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Account, MailMode
from app.comments.models import Comment
from app.config import Settings
from app.core import clock
from app.core.clock import utcnow
from app.db import unit_of_work
from app.notifications import service
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from tests import factories
from tests.conftest import Process


def _kinds(db: Session, account: factories.Account) -> list[NotificationKind]:
    return list(
        db.scalars(
            select(Notification.kind)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    )


def _mails_to(db: Session, account: factories.Account) -> list[dict[str, str]]:
    return [
        payload
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload["to"] == account.email
    ]


def test_followers_hear_of_comments_thread_authors_of_replies(db: Session) -> None:
    owner = factories.account(db, "Olga")
    asker = factories.account(db, "Asta")
    vorhaben = factories.vorhaben(db, owner, "Bürgerportal")
    question = factories.comment(db, asker, vorhaben, "Welche Software?")
    answer = factories.comment(db, owner, vorhaben, "Ein Open-Source-Portal.", parent=question)
    assert _kinds(db, owner) == [NotificationKind.COMMENT]
    assert _kinds(db, asker) == [NotificationKind.REPLY]
    [mail] = _mails_to(db, asker)
    assert "Antwort" in mail["subject"] and "Open-Source-Portal" in mail["text"]
    # The lasting address of the reply: it finds the page of the discussion that holds it.
    assert f"/kommentare/{answer.id}" in mail["text"]


def test_owners_hear_of_signals_and_followers_of_stage_changes(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    follower = factories.account(db, "Fritz")
    vorhaben = factories.vorhaben(db, owner, "Sensorik", stage="konzept")
    cooperation.set_follow(db, follower, vorhaben.id, on=True)
    assert cooperation.set_signal(db, settings, follower, vorhaben.id, "reuse", on=True)
    assert not cooperation.set_signal(db, settings, follower, vorhaben.id, "reuse", on=True)
    assert _kinds(db, owner) == [NotificationKind.SIGNAL]
    form = vorhaben_service.form_from(vorhaben_service.get(db, owner, vorhaben.id))
    form.stage = "pilot"
    vorhaben_service.update(db, settings, owner, vorhaben.id, form)
    assert _kinds(db, follower) == [NotificationKind.STAGE]
    assert "Pilot" in _mails_to(db, follower)[0]["text"]


def test_a_signal_notification_names_the_signalling_municipality(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    signaller = factories.account(
        db, "Sina", municipality=factories.municipality(db, "Signalstadt, Stadt")
    )
    vorhaben = factories.vorhaben(db, owner, "Bürgerportal")
    cooperation.set_signal(db, settings, signaller, vorhaben.id, "interested", on=True)
    [mail] = _mails_to(db, owner)
    assert "Signalstadt, Stadt" in mail["subject"]
    assert "Signalstadt, Stadt meldet „Interessiert uns“ zu „Bürgerportal“" in mail["text"]
    assert "gesetzt von Sina" in mail["text"]


def test_no_notification_for_your_own_actions(db: Session) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Selbst")
    factories.comment(db, owner, vorhaben, "Ich selbst")
    assert _kinds(db, owner) == []


def test_digest_readers_get_one_mail_a_day(db: Session, settings: Settings) -> None:
    owner = factories.account(db, "Olga")
    owner.mail_mode = MailMode.DIGEST
    vorhaben = factories.vorhaben(db, owner, "Digest-Thema")
    for number in range(3):
        factories.comment(db, factories.account(db), vorhaben, f"Kommentar {number}")
    assert _mails_to(db, owner) == []
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert service.send_digests(db, settings) == 1
    [digest] = _mails_to(db, owner)
    assert "3 Neuigkeiten" in digest["subject"] and "Digest-Thema" in digest["text"]
    assert service.send_digests(db, settings) == 0


def test_quiet_readers_get_no_mail_but_the_list(db: Session) -> None:
    owner = factories.account(db)
    owner.mail_mode = MailMode.OFF
    vorhaben = factories.vorhaben(db, owner, "Leise")
    factories.comment(db, factories.account(db), vorhaben, "Hallo")
    assert _mails_to(db, owner) == []
    assert service.unread_count(db, owner) == 1
    service.mark_read(db, owner)
    assert service.unread_count(db, owner) == 0


@pytest.mark.parametrize("hour", [3, 12])
def test_digest_time_of_day(db: Session, settings: Settings, hour: int) -> None:
    now = clock.utcnow().astimezone(clock.BERLIN)
    target = now.replace(hour=hour, minute=0) + dt.timedelta(days=1)
    clock.travel(target - now)
    owner = factories.account(db)
    owner.mail_mode = MailMode.DIGEST
    vorhaben = factories.vorhaben(db, owner, "Uhrzeit")
    factories.comment(db, factories.account(db), vorhaben, "x")
    clock.travel(dt.timedelta(days=1))
    assert service.send_digests(db, settings) == (1 if hour >= service.DIGEST_HOUR else 0)


def _unread(process: Process, reader_id: int) -> int:
    with unit_of_work(process.sessions) as db:
        reader = db.get(Account, reader_id)
        assert reader is not None
        return service.unread_count(db, reader)


def test_the_unread_count_follows_changes_made_by_another_process(
    processes: tuple[Process, Process],
) -> None:
    """A new notification, one marked read and a comment hidden elsewhere all reach the next
    page in the other process."""
    one, other = processes
    with unit_of_work(other.sessions) as db:
        owner = factories.account(db, "Olga Eigen")
        guest = factories.account(db, "Gero Gast")
        vorhaben = factories.vorhaben(db, owner, "Digitale Bauakte")
    assert _unread(one, owner.id) == 0
    with unit_of_work(other.sessions) as db:
        author = db.get(Account, guest.id)
        on = db.get(Vorhaben, vorhaben.id)
        assert author is not None and on is not None
        first = factories.comment(db, author, on, "Wie habt ihr das gelöst?")
        factories.comment(db, author, on, "Und was hat es gekostet?")
    assert _unread(one, owner.id) == 2
    with unit_of_work(other.sessions) as db:
        db.execute(update(Comment).where(Comment.id == first.id).values(hidden_at=utcnow()))
    assert _unread(one, owner.id) == 1  # the hidden comment's notification is gone
    with unit_of_work(other.sessions) as db:
        reader = db.get(Account, owner.id)
        assert reader is not None
        service.mark_read(db, reader)
    assert _unread(one, owner.id) == 0


def test_the_header_count_read_with_the_session_says_what_unread_count_says(
    db: Session,
) -> None:
    """The page header's count is a subquery of the session lookup, written once against
    the account's columns (service.unread_count_column): for each account it must count
    what unread_count() counts with the account's values, the author of a hidden comment
    included (the rule lets the author see it), and nobody else's row may leak in."""
    town = factories.municipality(db, "Zählstadt")
    owner = factories.account(db, "Olga", municipality=town)
    colleague = factories.account(db, "Carla", municipality=town)
    outsider = factories.account(db, "Otto")
    shared = factories.vorhaben(db, owner, "Für alle")
    restricted = factories.vorhaben(db, owner, "Nur Zählstadt", visibility="municipality")
    hidden = factories.comment(db, colleague, shared, "Ausgeblendet")
    hidden.hidden_at = utcnow()
    plain = factories.comment(db, outsider, shared, "Sichtbar")
    db.execute(update(Notification).values(read_at=utcnow()))  # only the rows made here
    for account in (owner, colleague, outsider):
        for vorhaben, comment in ((shared, hidden), (shared, plain), (restricted, None)):
            db.add(
                Notification(
                    account_id=account.id,
                    kind=NotificationKind.COMMENT if comment else NotificationKind.STAGE,
                    vorhaben_id=vorhaben.id,
                    comment_id=comment.id if comment else None,
                )
            )
    db.flush()
    column = service.unread_count_column()
    counts = {
        account.display_name: (
            service.unread_count(db, account),
            db.scalar(select(column).where(Account.id == account.id)),
        )
        for account in (owner, colleague, outsider)
    }
    assert counts == {"Olga": (2, 2), "Carla": (3, 3), "Otto": (1, 1)}
