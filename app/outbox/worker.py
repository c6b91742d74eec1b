"""Delivering the outbox (mails, webhooks); `allmende worker` (app.worker) runs it.

Delivery is at least once: a row is leased, delivered outside any transaction, then marked.
A worker that dies mid-delivery leaves a lease that expires, and another worker retries.

A mail is rendered when it is queued and may leave much later (after an outage, days
later). One that says what it is "about" passes the mail check just before it is sent: the
check, given by the entry level (app.worker), tells whether its receiver may still see all
of that; if not, the mail is dropped. The outbox itself knows nothing of what a mail is about.
Webhooks are sent by the sender the entry level gives (the export's delivery), which records
its own outcome. Which periodic jobs run when is the entry level's schedule, not the outbox's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.core.clock import utcnow
from app.db import unit_of_work
from app.outbox import service
from app.outbox.mailer import Mailer, MailError, mailer_for
from app.outbox.models import Channel

log = logging.getLogger("allmende.worker")

# Whether a mail about this may still go to its receiver (the payload's "about").
MailCheck = Callable[[Session, Mapping[str, Any]], bool]
# Sends one leased webhook row (id, payload, message key) and records its outcome itself.
WebhookSender = Callable[[Settings, sessionmaker[Session], int, dict[str, object], str], None]


# Rows claimed at once: at most one per free thread (so a lease of two minutes covers
# the time until the row is sent), and at most this many in the serial path.
LEASE_BATCH = 40


class Leased(NamedTuple):
    id: int
    channel: Channel
    payload: dict[str, object]
    key: str
    attempts: int


@dataclass
class Worker:
    settings: Settings
    sessions: sessionmaker[Session]
    mailer: Mailer | None = None
    # Without a check, a mail that says what it is about is never sent (fail closed).
    mail_check: MailCheck | None = None
    # Without a sender, a webhook row is retried later with backoff (as after a crash).
    webhooks: WebhookSender | None = None

    def __post_init__(self) -> None:
        if self.mailer is None:
            self.mailer = mailer_for(self.settings)

    def parallelism(self) -> int:
        """How many webhooks go out at once. Sessions bound to one connection (not an
        engine) cannot be shared between threads, so they deliver one after another."""
        bind = self.sessions.kw.get("bind")
        return self.settings.webhook_concurrency if isinstance(bind, Engine) else 1

    def deliver_due(self, *, retry_now: bool = False, channel: Channel | None = None) -> int:
        """Deliver every row that is due now; returns the number of attempts.

        Mails go out one after another; webhooks in parallel threads (ALLMENDE_WEBHOOK_
        CONCURRENCY), so a slow or hanging partner does not hold up the others. Threads
        are refilled as each delivery ends (no rounds that wait for the slowest), because
        the next change of a project may only be leased once the previous one is through.
        """
        if retry_now:
            # --retry-now: every waiting retry is due once; a row that fails again gets its
            # next retry time as usual and is not tried again in this run.
            with unit_of_work(self.sessions) as db:
                service.make_due(db, channel=channel)
        threads = self.parallelism()
        if threads == 1:
            return self._deliver_serially(channel)
        attempts = 0
        running: set[Future[None]] = set()
        with ThreadPoolExecutor(threads, thread_name_prefix="webhook") as pool:
            while True:
                free = threads - len(running)
                leased = self._lease(channel, min(LEASE_BATCH, free)) if free > 0 else []
                attempts += len(leased)
                for item in leased:
                    if item.channel is Channel.MAIL:
                        self._deliver(*item)
                    else:
                        running.add(pool.submit(self._deliver, *item))
                if not running:
                    if not leased:
                        return attempts
                    continue
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()

    def _deliver_serially(self, channel: Channel | None) -> int:
        attempts = 0
        while leased := self._lease(channel, LEASE_BATCH):
            attempts += len(leased)
            for item in leased:
                self._deliver(*item)
        return attempts

    def _lease(self, channel: Channel | None, limit: int) -> list[Leased]:
        with unit_of_work(self.sessions) as db:
            return [
                Leased(row.id, row.channel, dict(row.payload), row.message_key, row.attempts)
                for row in service.lease_due(db, channel=channel, limit=limit)
            ]

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
                if "about" in payload and not self._still_meant_for(message_id, payload):
                    return
                self.mailer.send(payload, key)
            else:
                if self.webhooks is None:
                    raise LookupError("no webhook sender configured")
                self.webhooks(self.settings, self.sessions, message_id, payload, key)
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
        except Exception as error:  # one bad row must not stop the worker
            self._crashed(message_id, channel, previous_attempts, error)
            return
        with unit_of_work(self.sessions) as db:
            service.mark_delivered(db, message_id)

    def _still_meant_for(self, message_id: int, payload: dict[str, object]) -> bool:
        """Ask the mail check; a mail that fails it is dropped, never sent."""
        about = payload["about"]
        with unit_of_work(self.sessions) as db:
            if (
                self.mail_check is not None
                and isinstance(about, Mapping)
                and self.mail_check(db, about)
            ):
                return True
            reason = (
                "not sent: its receiver may no longer see what it is about"
                if self.mail_check is not None
                else "not sent: no mail check configured"
            )
            service.mark_dropped(db, message_id, reason)
        log.info("mail dropped", extra={"outbox_id": message_id, "reason": reason})
        return False

    def _crashed(
        self, message_id: int, channel: Channel, previous_attempts: int, error: Exception
    ) -> None:
        """An unexpected error in a sender: log it, retry the row later with backoff.

        Only the exception's type is logged and stored: its text or traceback locals can
        carry a recipient, a message body or credentials from a connection URL."""
        attempts = previous_attempts + 1
        give_up = channel is Channel.MAIL and attempts >= service.MAIL_MAX_ATTEMPTS
        retry_at = None if give_up else utcnow() + service.backoff(attempts)
        reason = f"unexpected error: {type(error).__name__}"
        log.error(
            "delivery failed unexpectedly",
            extra={"outbox_id": message_id, "channel": channel.value, "error": reason},
        )
        try:
            with unit_of_work(self.sessions) as db:
                service.mark_failed(db, message_id, reason, retry_at=retry_at)
        except Exception:  # the lease runs out and a later round retries
            log.error("recording the failure failed", extra={"outbox_id": message_id})
