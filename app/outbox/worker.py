"""`allmende worker`: deliver the outbox (mails, webhooks) and run the periodic jobs.

Delivery is at least once: a row is leased, delivered outside any transaction, then marked.
A worker that dies mid-delivery leaves a lease that expires, and another worker retries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.core.clock import utcnow
from app.db import unit_of_work
from app.outbox import service
from app.outbox.mailer import Mailer, MailError, mailer_for
from app.outbox.models import Channel

log = logging.getLogger("allmende.worker")

PeriodicJob = Callable[[Session, Settings], int]


@dataclass
class Worker:
    settings: Settings
    sessions: sessionmaker[Session]
    mailer: Mailer | None = None
    jobs: list[tuple[str, PeriodicJob]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mailer is None:
            self.mailer = mailer_for(self.settings)
        if not self.jobs:
            self.jobs = default_jobs()

    def deliver_due(self, *, retry_now: bool = False, channel: Channel | None = None) -> int:
        """Deliver every row that is due now; returns the number of attempts."""
        attempts = 0
        while True:
            with unit_of_work(self.sessions) as db:
                leased = [
                    (row.id, row.channel, dict(row.payload), row.message_key, row.attempts)
                    for row in service.lease_due(db, retry_now=retry_now, channel=channel)
                ]
            if not leased:
                return attempts
            for message_id, kind, payload, key, previous in leased:
                attempts += 1
                self._deliver(message_id, kind, payload, key, previous)
            # With --retry-now every waiting row is due again: one pass is enough.
            if retry_now:
                retry_now = False

    def _deliver(
        self,
        message_id: int,
        channel: Channel,
        payload: dict[str, object],
        key: str,
        previous_attempts: int,
    ) -> None:
        try:
            if channel is Channel.MAIL:
                assert self.mailer is not None  # noqa: S101
                self.mailer.send(payload, key)
            else:
                from app.export import delivery

                delivery.deliver(self.settings, self.sessions, message_id, payload, key)
                return  # webhook delivery records its own outcome
        except MailError as error:
            attempts = previous_attempts + 1
            give_up = error.permanent or attempts >= service.MAIL_MAX_ATTEMPTS
            retry_at = None if give_up else utcnow() + service.backoff(attempts)
            log.warning(
                "mail delivery failed",
                extra={"outbox_id": message_id, "attempt": attempts, "error": str(error)},
            )
            with unit_of_work(self.sessions) as db:
                service.mark_failed(db, message_id, str(error), retry_at=retry_at)
            return
        with unit_of_work(self.sessions) as db:
            service.mark_delivered(db, message_id)

    def run_jobs(self) -> dict[str, int]:
        """Run each periodic job once in its own transaction."""
        done: dict[str, int] = {}
        for name, job in self.jobs:
            try:
                with unit_of_work(self.sessions) as db:
                    done[name] = job(db, self.settings)
            except Exception:
                log.exception("periodic job failed", extra={"job": name})
        return done

    def run_once(self, *, retry_now: bool = False) -> int:
        """`--once`: run the jobs, then drain what is due."""
        self.run_jobs()
        return self.deliver_due(retry_now=retry_now)

    def run_forever(self, *, poll_seconds: float = 5.0, jobs_every: float = 300.0) -> None:
        last_jobs = 0.0
        while True:
            if time.monotonic() - last_jobs >= jobs_every:
                self.run_jobs()
                last_jobs = time.monotonic()
            if self.deliver_due() == 0:
                time.sleep(poll_seconds)


def default_jobs() -> list[tuple[str, PeriodicJob]]:
    """Jobs every worker runs periodically; each is idempotent across several workers."""
    from app import maintenance
    from app.membership import service as membership
    from app.notifications import service as notifications

    return [
        ("application_reminders", membership.send_reminders),
        ("notification_digests", notifications.send_digests),
        ("maintenance", maintenance.job),
    ]
