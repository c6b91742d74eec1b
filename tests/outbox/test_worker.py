"""The outbox: mails leave over SMTP, at least once, with retries and backoff."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.core import clock
from app.outbox import service
from app.outbox.mailer import LogMailer, MailError
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.outbox.worker import Worker
from tests.outbox.conftest import Inbox


def _queue(db: Session, to: str = "lena@leipzig.de") -> OutboxMessage:
    message = service.enqueue_mail(
        db, to=to, subject="Betreff mit Umlaut: Müll", text="Hallo\n", html="<p>Hallo</p>"
    )
    db.flush()
    return message


def test_mails_go_out_over_smtp_once(
    db: Session, session_factory: sessionmaker[Session], settings: Settings, inbox: Inbox
) -> None:
    message = _queue(db)
    configured = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{inbox.port}"})
    worker = Worker(configured, session_factory)
    assert worker.deliver_due() == 1
    assert worker.deliver_due() == 0
    [received] = inbox.messages
    assert received["To"] == "lena@leipzig.de"
    assert received["Subject"] == "Betreff mit Umlaut: Müll"
    assert message.message_key in received["Message-ID"]
    assert received.get_body(("plain",)).get_content().strip() == "Hallo"  # type: ignore[union-attr]
    db.refresh(message)
    assert message.state is DeliveryState.DELIVERED and message.attempts == 1


def test_a_refused_recipient_gives_up_and_an_outage_retries_with_backoff(
    db: Session, session_factory: sessionmaker[Session], settings: Settings, inbox: Inbox
) -> None:
    refused = _queue(db, "nobody@leipzig.de")
    inbox.refuse.add("nobody@leipzig.de")
    configured = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{inbox.port}"})
    Worker(configured, session_factory).deliver_due()
    db.refresh(refused)
    assert refused.state is DeliveryState.FAILED and "refused" in (refused.last_error or "")

    later = _queue(db)
    down = settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:1"})
    Worker(down, session_factory).deliver_due()
    db.refresh(later)
    assert later.state is DeliveryState.PENDING and later.attempts == 1
    assert later.next_attempt_at > clock.utcnow() + dt.timedelta(seconds=20)
    # Not due yet: nothing happens; --retry-now makes it due; the server is back.
    up = Worker(configured, session_factory)
    assert up.deliver_due() == 0
    assert up.deliver_due(retry_now=True) == 1
    db.refresh(later)
    assert later.state is DeliveryState.DELIVERED and later.attempts == 2
    assert [message["To"] for message in inbox.messages] == ["lena@leipzig.de"]


def test_a_leased_row_is_not_delivered_twice(
    db: Session, session_factory: sessionmaker[Session]
) -> None:
    _queue(db)
    first = service.lease_due(db)
    assert len(first) == 1
    assert service.lease_due(db) == []
    clock.travel(service.LEASE + dt.timedelta(seconds=1))
    assert len(service.lease_due(db)) == 1  # a crashed worker's lease runs out


def test_backoff_grows_and_is_capped() -> None:
    assert service.backoff(1).total_seconds() <= 60
    assert 30 * 60 <= service.backoff(7).total_seconds() <= 64 * 60
    assert service.backoff(50).total_seconds() <= 6 * 3600


def test_without_smtp_mails_are_logged(
    db: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = _queue(db)
    worker = Worker(settings, session_factory)
    assert isinstance(worker.mailer, LogMailer)
    with caplog.at_level("INFO", logger="allmende.mail"):
        worker.deliver_due()
    assert any("not sent" in record.getMessage() for record in caplog.records)
    db.refresh(message)
    assert message.state is DeliveryState.DELIVERED


def test_mail_error_marks_permanence() -> None:
    assert MailError("x", permanent=True).permanent
    assert not MailError("y").permanent


def test_pending_rows_are_visible_to_admins_as_data(db: Session) -> None:
    _queue(db)
    assert db.scalars(select(OutboxMessage.state)).all() == [DeliveryState.PENDING]


class _BrokenMailer:
    """A sender with a bug: it raises something other than MailError for one address."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, payload: dict[str, object], message_key: str) -> None:
        if payload["to"] == "bug@leipzig.de":
            raise RuntimeError("connect to smtp://relay:hunter2@mail.example failed")
        self.sent.append(str(payload["to"]))


def test_an_unexpected_sender_error_is_retried_and_does_not_stop_the_worker(
    db: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = _queue(db, "bug@leipzig.de")
    fine = _queue(db, "lena@leipzig.de")
    mailer = _BrokenMailer()
    worker = Worker(settings, session_factory, mailer=mailer)
    with caplog.at_level("INFO"):
        assert worker.deliver_due() == 2  # the bad row did not end the round
    assert mailer.sent == ["lena@leipzig.de"]
    db.refresh(broken)
    db.refresh(fine)
    assert fine.state is DeliveryState.DELIVERED
    assert broken.state is DeliveryState.PENDING and broken.attempts == 1
    assert broken.leased_until is None  # not stuck until the lease runs out
    assert broken.next_attempt_at > clock.utcnow() + dt.timedelta(seconds=20)  # backoff
    assert broken.last_error == "unexpected error: RuntimeError"
    assert "hunter2" not in caplog.text and "hunter2" not in str(broken.last_error)
    assert any("unexpectedly" in record.getMessage() for record in caplog.records)
    assert worker.deliver_due() == 0  # not due yet
    assert worker.deliver_due(retry_now=True) == 1


def _queue_about(db: Session, to: str, about: dict[str, object]) -> OutboxMessage:
    message = service.enqueue_mail(
        db, to=to, subject="Vertraulich", text="Inhalt", html="<p>Inhalt</p>", about=about
    )
    db.flush()
    return message


def test_a_mail_about_something_leaves_only_if_the_mail_check_lets_it(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    """The outbox knows nothing of what a mail is about: it asks the check it was given.
    Mails about nothing just go."""
    asked: list[object] = []

    def check(_db: Session, about: object) -> bool:
        asked.append(about)
        return about == {"ok": True}

    plain = _queue(db, "plain@leipzig.de")
    allowed = _queue_about(db, "ok@leipzig.de", {"ok": True})
    refused = _queue_about(db, "no@leipzig.de", {"ok": False})
    mailer = _BrokenMailer()
    Worker(settings, session_factory, mailer=mailer, mail_check=check).deliver_due()
    assert sorted(mailer.sent) == ["ok@leipzig.de", "plain@leipzig.de"]
    assert asked == [{"ok": True}, {"ok": False}]
    for row in (plain, allowed, refused):
        db.refresh(row)
    assert plain.state is DeliveryState.DELIVERED and allowed.state is DeliveryState.DELIVERED
    assert refused.state is DeliveryState.DROPPED and "no longer see" in (refused.last_error or "")
    # A dropped row keeps whom and what it was about, not what it said.
    assert refused.payload == {"to": "no@leipzig.de", "about": {"ok": False}}


def test_without_a_mail_check_a_mail_about_something_is_never_sent(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    unchecked = _queue_about(db, "none@leipzig.de", {"ok": True})
    mailer = _BrokenMailer()
    Worker(settings, session_factory, mailer=mailer).deliver_due()
    assert mailer.sent == []
    db.refresh(unchecked)
    assert unchecked.state is DeliveryState.DROPPED
    assert "no mail check" in (unchecked.last_error or "")


def _queue_webhook(db: Session) -> OutboxMessage:
    message = OutboxMessage(
        channel=Channel.WEBHOOK, payload={"type": "project.updated"}, message_key="msg_1"
    )
    db.add(message)
    db.flush()
    return message


def test_webhooks_go_to_the_sender_the_entry_level_gives(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    message = _queue_webhook(db)
    sent: list[tuple[int, dict[str, object], str]] = []

    def sender(
        settings: Settings,
        sessions: sessionmaker[Session],
        message_id: int,
        payload: dict[str, object],
        key: str,
    ) -> None:
        sent.append((message_id, payload, key))

    assert Worker(settings, session_factory, webhooks=sender).deliver_due() == 1
    assert sent == [(message.id, {"type": "project.updated"}, "msg_1")]


def test_without_a_sender_a_webhook_waits_for_a_retry(
    db: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    message = _queue_webhook(db)
    assert Worker(settings, session_factory).deliver_due() == 1
    db.refresh(message)
    assert message.state is DeliveryState.PENDING and message.attempts == 1
    assert message.last_error == "unexpected error: LookupError"
    assert message.next_attempt_at > clock.utcnow()
