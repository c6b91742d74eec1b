"""Retention: the maintenance job deletes what has expired, and nothing else."""

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
from app.config import Settings
from app.core import clock
from app.notifications import service as notifications
from app.notifications.models import Notification
from app.outbox import service as outbox
from app.outbox.models import OutboxMessage
from tests import factories


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_retention_periods(db: Session, settings: Settings) -> None:
    member = factories.account(db)
    sessions.create(db, settings, member, provider="sso")
    audit.record(db, "login_failed", actor_id=None, reason="test")
    audit.record(db, "application_approved", actor_id=None, reason="bleibt")
    mail = outbox.enqueue_mail(db, to="a@b.example", subject="s", text="t", html="h")
    db.flush()
    outbox.mark_delivered(db, mail.id)
    vorhaben = factories.vorhaben(db, member, "Thema")
    factories.comment(db, factories.account(db), vorhaben, "Hallo")
    notifications.mark_read(db, member)
    db.flush()
    assert maintenance.run(db, settings)["security_log"] == 0  # nothing expired yet

    clock.travel(dt.timedelta(days=91))
    done = maintenance.run(db, settings)
    assert done["sessions"] == 1 and done["outbox"] >= 1 and done["notifications"] == 1
    assert done["security_log"] == 1
    assert _count(db, AuthSession) == 0 and _count(db, Notification) == 0
    assert [row.action for row in db.scalars(select(AuditEvent))].count("login_failed") == 0
    assert "application_approved" in [row.action for row in db.scalars(select(AuditEvent))]
    assert all(row.state.value != "delivered" for row in db.scalars(select(OutboxMessage)))


def test_maintenance_command(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    assert main(["maintenance"]) == 0
    assert "sessions=0" in capsys.readouterr().out
