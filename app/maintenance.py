"""`allmende maintenance` (also run by the worker): delete what is no longer needed.

Periods (settings), each counted from the moment the row stopped being useful:
- sessions ALLMENDE_RETENTION_SESSIONS_DAYS after they ended (absolute expiry or idle
  timeout, whichever came first; a signed-out session is deleted at once by the sign-out);
- outbox rows ALLMENDE_RETENTION_OUTBOX_DAYS after delivery, after the worker gave up or
  after it dropped a mail no longer meant for its receiver (pending rows stay, they are
  still being retried);
- notifications ALLMENDE_RETENTION_NOTIFICATIONS_DAYS after they were read (unread ones stay);
- security-log entries ALLMENDE_RETENTION_SECURITY_LOG_DAYS after they were written (the
  decision log is never deleted);
- finished sign-in attempts, used logout-token ids and old rate counters as soon as they
  expire;
- stored attachment files no row points at (an hour after they were written).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.audit.models import AuditEvent
from app.auth.models import AuthSession, LoginAttempt, UsedToken
from app.config import Settings
from app.core.clock import utcnow
from app.db import refresh_statistics
from app.notifications.models import Notification
from app.outbox.models import DeliveryState, OutboxMessage
from app.web import ratelimit


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def run(db: Session, settings: Settings) -> dict[str, int]:
    """Delete expired data; returns what was deleted per kind."""
    now = utcnow()
    days = dt.timedelta(days=1)
    idle = dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    # An ended session is kept for a while (the data export and the investigation of a
    # misused account still see recent sign-ins); lookup() refuses it from the moment it ends.
    sessions_cutoff = now - days * settings.retention_sessions_days
    outbox_cutoff = now - days * settings.retention_outbox_days
    return {
        "sessions": _count(
            db.execute(
                delete(AuthSession).where(
                    (AuthSession.expires_at < sessions_cutoff)
                    | (AuthSession.last_seen_at < sessions_cutoff - idle)
                )
            )
        ),
        "login_attempts": _count(
            db.execute(delete(LoginAttempt).where(LoginAttempt.expires_at < now))
        ),
        "used_tokens": _count(db.execute(delete(UsedToken).where(UsedToken.expires_at < now))),
        "outbox": _count(
            db.execute(
                delete(OutboxMessage).where(
                    (
                        (OutboxMessage.state == DeliveryState.DELIVERED)
                        & (OutboxMessage.delivered_at < outbox_cutoff)
                    )
                    # A given-up or dropped row's next_attempt_at is when the worker gave
                    # up (outbox.mark_failed, mark_dropped); until then an admin can still
                    # redeliver a given-up one.
                    | (
                        OutboxMessage.state.in_((DeliveryState.FAILED, DeliveryState.DROPPED))
                        & (OutboxMessage.next_attempt_at < outbox_cutoff)
                    )
                )
            )
        ),
        "notifications": _count(
            db.execute(
                delete(Notification).where(
                    Notification.read_at.is_not(None),
                    Notification.read_at < now - days * settings.retention_notifications_days,
                )
            )
        ),
        "security_log": _count(
            db.execute(
                delete(AuditEvent).where(
                    AuditEvent.security.is_(True),
                    AuditEvent.created_at < now - days * settings.retention_security_log_days,
                )
            )
        ),
        "rate_counters": ratelimit.prune(db),
        # Files of attachments whose rows are gone (a deleted Vorhaben, a rolled-back upload).
        "attachment_files": attachments.sweep(db, settings),
        "statistics_refreshed": int(refresh_statistics(db.connection())),
    }


def job(db: Session, settings: Settings) -> int:
    """The worker's periodic job form of run()."""
    return sum(run(db, settings).values())
