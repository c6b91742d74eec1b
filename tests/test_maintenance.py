"""Retention: the maintenance job deletes each kind of row exactly when its period (counted
from when the row stopped being useful) has passed, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import maintenance
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import AuthSession
from app.cli import main
from app.config import Settings, load_settings
from app.core import clock
from app.core.clock import utcnow
from app.notifications.models import Notification, NotificationKind
from app.outbox import service as outbox
from app.outbox.models import OutboxMessage
from tests import factories

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def _rows(db: Session, settings: Settings) -> dict[str, tuple[type, int]]:
    """One row of each kind, each of which stops being useful now (the clock's t0)."""
    now = clock.utcnow()
    member = factories.account(db)
    expired = sessions.create(db, settings, member, provider="sso", auth_time=utcnow())
    expired.session.expires_at = now
    expired.session.last_seen_at = now - dt.timedelta(hours=1)
    idle = sessions.create(db, settings, member, provider="sso", auth_time=utcnow())
    idle.session.last_seen_at = now - dt.timedelta(seconds=settings.session_idle_timeout_seconds)
    db.flush()
    # Kept rows must not be usable: the sign-in ends when the session does, not at deletion.
    assert sessions.lookup(db, settings, expired.token) is None
    assert sessions.lookup(db, settings, idle.token) is None

    clock.travel(-10 * DAY)  # the given-up mail was written ten days before it was given up
    given_up = outbox.enqueue_mail(db, to="a@b.example", subject="s", text="t", html="h")
    db.flush()
    clock.travel(10 * DAY)
    outbox.mark_failed(db, given_up.id, "550 no such user", retry_at=None)
    dropped = outbox.enqueue_mail(db, to="a@b.example", subject="s", text="t", html="h")
    db.flush()
    outbox.mark_dropped(db, dropped.id, "not sent: no longer meant for its receiver")
    delivered = outbox.enqueue_mail(db, to="a@b.example", subject="s", text="t", html="h")
    pending = outbox.enqueue_mail(db, to="a@b.example", subject="s", text="t", html="h")
    db.flush()
    outbox.mark_delivered(db, delivered.id)

    vorhaben = factories.vorhaben(db, factories.account(db), "Thema")
    read, unread = (
        Notification(
            account_id=member.id,
            kind=NotificationKind.COMMENT,
            vorhaben_id=vorhaben.id,
            read_at=read_at,
        )
        for read_at in (now, None)
    )
    db.add_all([read, unread])
    security = audit.record(db, "login_failed", actor_id=None, reason="falscher Anbieter")
    decision = audit.record(db, "application_approved", actor_id=None, reason="bleibt")
    db.flush()
    return {
        "expired session": (AuthSession, expired.session.id),
        "idle session": (AuthSession, idle.session.id),
        "delivered mail": (OutboxMessage, delivered.id),
        "given-up mail": (OutboxMessage, given_up.id),
        "dropped mail": (OutboxMessage, dropped.id),
        "pending mail": (OutboxMessage, pending.id),
        "read notification": (Notification, read.id),
        "unread notification": (Notification, unread.id),
        "security log entry": (AuditEvent, security.id),
        "decision log entry": (AuditEvent, decision.id),
    }


def _periods(settings: Settings) -> dict[str, int | None]:
    """Days after which each row of _rows() must be gone (None: never)."""
    return {
        "expired session": settings.retention_sessions_days,
        "idle session": settings.retention_sessions_days,
        "delivered mail": settings.retention_outbox_days,
        "given-up mail": settings.retention_outbox_days,
        "dropped mail": settings.retention_outbox_days,
        "pending mail": None,
        "read notification": settings.retention_notifications_days,
        "unread notification": None,
        "security log entry": settings.retention_security_log_days,
        "decision log entry": None,
    }


def _walk_through_the_periods(db: Session, settings: Settings) -> None:
    rows = _rows(db, settings)
    periods = _periods(settings)
    for days in sorted({value for value in periods.values() if value is not None}):
        for moment in (days * DAY - MINUTE, days * DAY + MINUTE):
            clock.reset()
            clock.travel(moment)
            maintenance.run(db, settings)
            db.expire_all()
            left = {name for name, (model, row_id) in rows.items() if db.get(model, row_id)}
            expected = {
                name for name, period in periods.items() if period is None or period * DAY > moment
            }
            assert left == expected, f"after {moment}"


def test_each_kind_is_deleted_when_its_default_period_has_passed(
    db: Session, settings: Settings
) -> None:
    assert (
        settings.retention_sessions_days,
        settings.retention_outbox_days,
        settings.retention_notifications_days,
        settings.retention_security_log_days,
    ) == (30, 30, 90, 90)
    _walk_through_the_periods(db, settings)


def test_the_periods_follow_the_settings(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, days in (("SESSIONS", 2), ("OUTBOX", 5), ("NOTIFICATIONS", 7), ("SECURITY_LOG", 11)):
        monkeypatch.setenv(f"ALLMENDE_RETENTION_{name}_DAYS", str(days))
    changed = load_settings(
        env="test",
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        base_url=settings.base_url,
    )
    assert changed.retention_sessions_days == 2 and changed.retention_security_log_days == 11
    _walk_through_the_periods(db, changed)


def test_nothing_is_deleted_while_everything_is_fresh(db: Session, settings: Settings) -> None:
    before = {model: _count(db, model) for model in (AuthSession, OutboxMessage, Notification)}
    _rows(db, settings)
    done = maintenance.run(db, settings)
    assert done["sessions"] == done["outbox"] == done["notifications"] == 0
    assert done["security_log"] == 0
    assert all(_count(db, model) > count for model, count in before.items())


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_maintenance_command(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    assert main(["maintenance"]) == 0
    assert "sessions=0" in capsys.readouterr().out
