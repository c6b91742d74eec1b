"""`allmende maintenance` (also run by the worker): delete what is no longer needed.

Periods (settings): expired sessions after ALLMENDE_RETENTION_SESSIONS_DAYS, delivered
outbox rows after ALLMENDE_RETENTION_OUTBOX_DAYS, read notifications after
ALLMENDE_RETENTION_NOTIFICATIONS_DAYS, security-log entries after
ALLMENDE_RETENTION_SECURITY_LOG_DAYS; finished sign-in attempts, used logout-token ids and
old rate counters as soon as they expire.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import AuthSession, LoginAttempt, UsedToken
from app.config import Settings
from app.core.clock import utcnow
from app.db import refresh_statistics
from app.export import ratelimit
from app.notifications.models import Notification
from app.outbox.models import DeliveryState, OutboxMessage


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def run(db: Session, settings: Settings) -> dict[str, int]:
    """Delete expired data; returns what was deleted per kind."""
    now = utcnow()
    days = dt.timedelta(days=1)
    idle = now - dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    return {
        "sessions": _count(
            db.execute(
                delete(AuthSession).where(
                    (AuthSession.expires_at < now - days * settings.retention_sessions_days)
                    | (AuthSession.expires_at < now)
                    | (AuthSession.last_seen_at < idle)
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
                    OutboxMessage.state == DeliveryState.DELIVERED,
                    OutboxMessage.delivered_at < now - days * settings.retention_outbox_days,
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
        "rate_counters": ratelimit.prune(db, settings),
        "statistics_refreshed": int(refresh_statistics(db.connection())),
    }


def job(db: Session, settings: Settings) -> int:
    """The worker's periodic job form of run()."""
    return sum(run(db, settings).values())
