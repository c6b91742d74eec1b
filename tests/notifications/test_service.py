"""Who hears of what: followers, thread authors, owners; immediately or as a digest."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core import clock
from app.membership.models import MailMode
from app.notifications import service
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from tests import factories


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
    factories.comment(db, owner, vorhaben, "Ein Open-Source-Portal.", parent=question)
    assert _kinds(db, owner) == [NotificationKind.COMMENT]
    assert _kinds(db, asker) == [NotificationKind.REPLY]
    [mail] = _mails_to(db, asker)
    assert "Antwort" in mail["subject"] and "Open-Source-Portal" in mail["text"]
    assert f"/vorhaben/{vorhaben.id}" in mail["text"]


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
