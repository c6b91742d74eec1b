"""`allmende worker` as it runs: the job table and the loop that works through it.

The outbox (app.outbox) stores and delivers; it knows no domain. Which jobs run how often,
which domain decides whether a queued mail may still leave, and who sends a webhook are
decided here, at the entry level:

- delivery of mails and webhooks: whenever something is due, otherwise every few seconds;
- the periodic jobs of JOBS, each every `every` seconds (each is idempotent, so several
  workers may run them side by side).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from app import maintenance, wiring
from app.config import Settings
from app.db import unit_of_work
from app.export import delivery as webhook_delivery
from app.membership import service as membership
from app.messages import digest as message_digest
from app.notifications import alert_fanout, delivery_check
from app.notifications import service as notifications
from app.outbox.mailer import Mailer
from app.outbox.worker import Worker

log = logging.getLogger("allmende.worker")

# One periodic job: runs in its own transaction and returns how much it did.
PeriodicJob = Callable[[Session, Settings], int]


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds from one start to the next
    run: PeriodicJob


JOBS_EVERY_SECONDS = 300.0
ALERT_MAILS_EVERY_SECONDS = 30.0
# How long the worker waits when nothing was due for delivery.
POLL_SECONDS = 5.0

JOBS: tuple[Job, ...] = (
    Job("application_reminders", JOBS_EVERY_SECONDS, membership.send_reminders),
    Job("notification_digests", JOBS_EVERY_SECONDS, notifications.send_digests),
    # Immediate mails of alerts (app.notifications.alert_fanout), made in bounded batches.
    Job("alert_mails", ALERT_MAILS_EVERY_SECONDS, alert_fanout.send_mails),
    Job("message_digests", JOBS_EVERY_SECONDS, message_digest.send_digests),
    Job("maintenance", JOBS_EVERY_SECONDS, maintenance.job),
)


@dataclass
class Schedule:
    """The worker: the periodic jobs, each when it is due, and delivery in between."""

    settings: Settings
    sessions: sessionmaker[Session]
    outbox: Worker
    jobs: Sequence[Job] = JOBS
    started: dict[str, float] = field(default_factory=dict)  # job name -> last start

    def due(self, job: Job, now: float) -> bool:
        last = self.started.get(job.name)
        return last is None or now - last >= job.every

    def run_jobs(self, *, due_only: bool = False) -> dict[str, int]:
        """Run each job (or each that is due) once, each in its own transaction; a job
        that fails is logged and does not keep the others from running."""
        now = time.monotonic()
        todo = [job for job in self.jobs if not due_only or self.due(job, now)]
        done: dict[str, int] = {}
        for job in todo:
            self.started[job.name] = now
            try:
                with unit_of_work(self.sessions) as db:
                    done[job.name] = job.run(db, self.settings)
            except Exception:
                log.exception("periodic job failed", extra={"job": job.name})
        if todo:
            log.info("periodic jobs done", extra={"jobs": done})
        return done

    def deliver_due(self, *, retry_now: bool = False) -> int:
        """Deliver every row that is due now; returns the number of attempts."""
        return self.outbox.deliver_due(retry_now=retry_now)

    def tick(self) -> int:
        """One round: the jobs that are due, then delivery; returns the delivery attempts."""
        self.run_jobs(due_only=True)
        return self.deliver_due()

    def run_once(self, *, retry_now: bool = False) -> int:
        """`--once`: run every job, then drain what is due."""
        self.run_jobs()
        return self.deliver_due(retry_now=retry_now)

    def run_forever(
        self, *, poll_seconds: float = POLL_SECONDS, stop: threading.Event | None = None
    ) -> None:
        """Round after round; waits poll_seconds after a round that delivered nothing."""
        stop = stop or threading.Event()
        while not stop.is_set():
            if self.tick() == 0:
                stop.wait(poll_seconds)


def delivery(
    settings: Settings, sessions: sessionmaker[Session], *, mailer: Mailer | None = None
) -> Worker:
    """The outbox's delivery, wired: a mail about trust-space content leaves only if its
    receiver may still see that content when it is sent; webhooks go out through the export."""
    return Worker(
        settings,
        sessions,
        mailer=mailer,
        mail_check=delivery_check.still_meant_for,
        webhooks=webhook_delivery.deliver,
    )


def build(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    mailer: Mailer | None = None,
    jobs: Sequence[Job] = JOBS,
) -> Schedule:
    """The worker `allmende worker` (and the demo, in a thread) runs."""
    wiring.wire()  # jobs that change content publish events too
    return Schedule(settings, sessions, delivery(settings, sessions, mailer=mailer), jobs)
