"""`allmende worker` as it runs: the outbox's worker, wired at the entry level to what the
outbox itself must not know (which domain decides whether a queued mail may still leave)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from app import wiring
from app.config import Settings
from app.notifications import mail
from app.outbox.mailer import Mailer
from app.outbox.worker import Worker


def build(
    settings: Settings, sessions: sessionmaker[Session], *, mailer: Mailer | None = None
) -> Worker:
    """The worker `allmende worker` runs: a mail about trust-space content leaves only if
    its receiver may still see that content when it is sent."""
    wiring.wire()  # jobs that change content publish events too
    return Worker(settings, sessions, mailer=mailer, mail_check=mail.still_meant_for)
