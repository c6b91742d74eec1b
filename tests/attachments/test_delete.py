"""Deleting attachments: who may, the moderators' deletion in the audit log, the stored
file gone once the deletion committed, and the sweep of files nobody points at."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import maintenance
from app.attachments import service as attachments
from app.attachments import storage
from app.attachments.models import Attachment
from app.audit.models import AuditEvent
from app.config import Settings
from app.vorhaben import service as vorhaben_service
from tests import factories
from tests.attachments import samples

pytestmark = pytest.mark.commits


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"attachment_dir": str(tmp_path / "anhaenge")}


def _stored(settings: Settings) -> set[str]:
    root = Path(settings.attachment_dir)
    return {path.name for path in root.rglob("*") if path.is_file()}


def _attach(
    db: Session,
    settings: Settings,
    who: factories.Account,
    vorhaben: factories.Vorhaben,
    comment_id: int | None = None,
) -> Attachment:
    checked = attachments.check(settings, "Plan.png", io.BytesIO(samples.image("PNG")))
    return attachments.store(db, settings, checked, vorhaben, who, comment_id=comment_id)


def _delete(client: TestClient, attachment_id: int, vorhaben_id: int) -> int:
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    return client.post(
        f"/anhaenge/{attachment_id}/loeschen", data={"csrf_token": token}
    ).status_code


def test_who_may_delete(client: TestClient, db: Session, settings: Settings) -> None:
    owner = factories.account(db)
    home = db.get(factories.Municipality, owner.municipality_id)
    vorhaben = factories.vorhaben(db, owner, "Mit Anhängen")
    commenter = factories.account(db)
    comment = factories.comment(db, commenter, vorhaben, "Anbei")
    own_file = _attach(db, settings, owner, vorhaben)
    comment_file = _attach(db, settings, commenter, vorhaben, comment.id)
    db.commit()
    stranger = factories.account(db)
    factories.login(client, db, stranger)
    assert _delete(client, own_file.id, vorhaben.id) == 403
    assert _delete(client, comment_file.id, vorhaben.id) == 403
    # A colleague who may edit the Vorhaben deletes its own files, not a commenter's.
    colleague = factories.account(db, municipality=home)
    factories.login(client, db, colleague)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert f'action="/anhaenge/{own_file.id}/loeschen"' in page
    assert f'action="/anhaenge/{comment_file.id}/loeschen"' not in page
    assert _delete(client, comment_file.id, vorhaben.id) == 403
    assert _delete(client, own_file.id, vorhaben.id) == 303
    # The commenter deletes their own.
    factories.login(client, db, commenter)
    assert _delete(client, comment_file.id, vorhaben.id) == 303
    assert db.scalars(select(Attachment)).all() == []
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_deleted")).all()


def test_a_moderators_deletion_is_audited_and_the_file_goes_after_the_commit(
    client: TestClient, db: Session, settings: Settings, transaction_mode: str
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Moderiert")
    commenter = factories.account(db)
    comment = factories.comment(db, commenter, vorhaben, "Anbei")
    attachment = _attach(db, settings, commenter, vorhaben, comment.id)
    keys = {attachment.storage_key, attachment.preview_key}
    assert keys <= _stored(settings)
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    assert _delete(client, attachment.id, vorhaben.id) == 303
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "attachment_deleted")).one()
    assert (event.actor_id, event.object_id, event.subject_id) == (
        moderator.id,
        str(attachment.id),
        commenter.id,
    )
    assert event.details["name"] == "Plan.png"
    assert not keys & _stored(settings)
    log = client.get("/moderation/audit").text
    assert "Anhang gelöscht" in log


def test_a_rolled_back_deletion_keeps_the_file(db: Session, settings: Settings) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Bleibt")
    attachment = _attach(db, settings, owner, vorhaben)
    key = attachment.storage_key
    savepoint = db.begin_nested()
    attachments.delete_one(db, settings, owner, attachment.id)
    savepoint.rollback()
    db.rollback()
    assert key in _stored(settings)


def test_the_sweep_removes_files_nobody_points_at(db: Session, settings: Settings) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Wird gelöscht")
    kept = _attach(db, settings, owner, vorhaben)
    files = storage.from_settings(settings)
    orphan = storage.new_key()
    files.put(orphan, io.BytesIO(b"left behind"))
    fresh = storage.new_key()
    files.put(fresh, io.BytesIO(b"its upload may still commit"))
    hour_ago = time.time() - 7200
    for key in (orphan, kept.storage_key):
        os.utime(Path(settings.attachment_dir) / key[:2] / key, (hour_ago, hour_ago))
    done = maintenance.run(db, settings)
    assert done["attachment_files"] == 1
    assert orphan not in _stored(settings)
    assert {kept.storage_key, fresh} <= _stored(settings)
    # A deleted Vorhaben's rows go with it (the database cascades); its files by the sweep.
    vorhaben_service.delete_vorhaben(db, settings, owner, vorhaben.id)
    assert db.scalars(select(Attachment)).all() == []
    assert attachments.sweep(db, settings) == 1  # the old one; its preview is still fresh
