"""The entry level's worker: the job table, each job when it is due, delivery in between."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from app import maintenance, worker
from app.config import Settings
from app.export import delivery as webhook_delivery
from app.membership import service as membership
from app.messages import digest as message_digest
from app.notifications import alert_fanout, delivery_check
from app.notifications import service as notifications
from app.outbox import service as outbox


def test_the_job_table_names_every_periodic_job() -> None:
    assert [(job.name, job.run) for job in worker.JOBS] == [
        ("application_reminders", membership.send_reminders),
        ("notification_digests", notifications.send_digests),
        ("alert_mails", alert_fanout.send_mails),
        ("message_digests", message_digest.send_digests),
        ("maintenance", maintenance.job),
    ]
    # Immediate alert mails run more often than the rest: they are meant to be immediate.
    assert {job.name: job.every for job in worker.JOBS} == {
        "application_reminders": worker.JOBS_EVERY_SECONDS,
        "notification_digests": worker.JOBS_EVERY_SECONDS,
        "alert_mails": worker.ALERT_MAILS_EVERY_SECONDS,
        "message_digests": worker.JOBS_EVERY_SECONDS,
        "maintenance": worker.JOBS_EVERY_SECONDS,
    }


def test_delivery_is_wired_with_the_mail_check_and_the_webhook_sender(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    built = worker.build(settings, session_factory)
    assert built.outbox.mail_check is delivery_check.still_meant_for
    assert built.outbox.webhooks is webhook_delivery.deliver
    assert built.jobs == worker.JOBS


def test_jobs_run_when_due_and_a_failing_job_does_not_stop_the_others(
    settings: Settings,
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def count(db: Session, settings: Settings) -> int:
        ran.append("count")
        return 3

    def broken(db: Session, settings: Settings) -> int:
        ran.append("broken")
        raise RuntimeError("boom")

    def hourly(db: Session, settings: Settings) -> int:
        ran.append("hourly")
        return 1

    jobs = (
        worker.Job("broken", 0.0, broken),
        worker.Job("count", 0.0, count),
        worker.Job("hourly", 3600.0, hourly),
    )
    schedule = worker.build(settings, session_factory, jobs=jobs)
    with caplog.at_level(logging.ERROR, logger="allmende.worker"):
        assert schedule.run_jobs(due_only=True) == {"count": 3, "hourly": 1}
    assert any(record.getMessage() == "periodic job failed" for record in caplog.records)
    # The hourly job is not due again yet; the others are due at every round.
    assert schedule.run_jobs(due_only=True) == {"count": 3}
    assert ran == ["broken", "count", "hourly", "broken", "count"]
    # --once runs every job, due or not.
    assert schedule.run_jobs() == {"count": 3, "hourly": 1}


def test_a_round_runs_the_due_jobs_then_delivers(
    db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    outbox.enqueue_mail(db, to="lena@leipzig.example", subject="Hallo", text="Hallo", html="")
    db.flush()
    ran: list[str] = []

    def job(db: Session, settings: Settings) -> int:
        ran.append("job")
        return 0

    schedule = worker.build(settings, session_factory, jobs=(worker.Job("job", 3600.0, job),))
    assert schedule.tick() == 1
    assert schedule.tick() == 0
    assert ran == ["job"]


def test_run_forever_ends_when_told_to_stop(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    stop = threading.Event()
    rounds: list[int] = []

    def job(db: Session, settings: Settings) -> int:
        rounds.append(1)
        stop.set()
        return 0

    schedule = worker.build(settings, session_factory, jobs=(worker.Job("job", 0.0, job),))
    schedule.run_forever(poll_seconds=0.01, stop=stop)
    assert rounds == [1]
