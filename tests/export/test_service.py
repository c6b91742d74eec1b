"""The publication workflow: nothing leaves without submit and release; every change is a
new version; withdrawal, deletion and restriction produce tombstones."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.errors import Forbidden, InvalidTransition, ValidationFailed
from app.export import erasure, feed, review, service, withdrawal
from app.export.models import PublicationState
from app.outbox.models import OutboxMessage
from app.vorhaben import service as vorhaben_service
from tests import factories
from tests.export.contract import check_item, check_tombstone
from tests.publishing import Scene, form_of, publish


def test_the_form_starts_from_the_vorhaben_and_saving_publishes_nothing(
    db: Session, settings: Settings, scene: Scene
) -> None:
    form = form_of(db, scene)
    assert form.title == "Digitaler Bauantrag" and form.stage == "pilot"
    assert form.description.startswith("Interne Notizen")
    assert form.contact_consent is False
    form.description = "Nur das Öffentliche"
    publication = service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    assert publication.state is PublicationState.DRAFT
    assert feed.get(db, publication.id) is None
    assert feed.after(db, 0, 10).entries == []


def test_submit_then_release_makes_version_one(
    db: Session, settings: Settings, scene: Scene
) -> None:
    form = form_of(db, scene)
    form.summary = "Anträge online"
    form.description = "Öffentlich"
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    assert publication.state is PublicationState.SUBMITTED
    assert feed.get(db, publication.id) is None  # partners never see an unreleased edit
    released = review.decide(db, settings, scene.moderator, publication.id, "release", "Gut")
    entry = feed.get(db, released.id)
    assert entry is not None and not entry.deleted
    item = entry.item
    check_item(item, "http://testserver")
    assert item["id"] == publication.id and item["version"] == 1 and item["deleted"] is False
    assert item["url"] == f"http://testserver/p/{publication.id}"
    assert item["stage"] == "pilot" and item["fields_of_action"] == ["verwaltung-ozg"]
    assert item["municipality"]["ags"] and item["municipality"]["state"] == "Testland"
    assert item["contact"] is None
    assert "Interne Notizen" not in str(item) and "Budget" not in str(item)
    actions = list(db.scalars(select(AuditEvent.action)))
    assert "publication_submitted" in actions and "publication_released" in actions


def test_an_edit_of_a_live_publication_waits_for_release(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, title="Erste Fassung")
    form = form_of(db, scene)
    form.title = "Zweite Fassung"
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    live = feed.get(db, publication.id)
    assert live is not None and live.item["title"] == "Erste Fassung"
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    updated = feed.get(db, publication.id)
    assert updated is not None and updated.item["title"] == "Zweite Fassung"
    assert updated.item["version"] == 2 and updated.item["created"] == live.item["created"]


def test_decline_returns_the_draft_with_a_reason(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    with pytest.raises(ValidationFailed):
        review.decide(db, settings, scene.moderator, publication.id, "decline", "")
    review.decide(db, settings, scene.moderator, publication.id, "decline", "Zu intern")
    assert publication.state is PublicationState.DRAFT
    assert publication.decision_reason == "Zu intern"
    subjects = [row.payload["subject"] for row in db.scalars(select(OutboxMessage))]
    assert any("Nicht freigegeben" in subject for subject in subjects)
    with pytest.raises(InvalidTransition):
        review.decide(db, settings, scene.moderator, publication.id, "release", "")


def test_withdrawal_leaves_a_tombstone_and_republishing_keeps_the_id(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted
    check_tombstone(entry.item)
    again = publish(db, settings, scene)
    entry = feed.get(db, again.id)
    assert again.id == publication.id
    assert entry is not None and not entry.deleted and entry.item["version"] == 2


def test_without_review_submitting_releases_at_once(
    db: Session, settings: Settings, scene: Scene
) -> None:
    direct = settings.model_copy(update={"publication_review": False})
    publication = service.submit(db, direct, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert publication.state is PublicationState.PUBLISHED and publication.live


@pytest.mark.parametrize("restricted", ["municipality", "partners", "circle"])
def test_only_shared_vorhaben_are_published_and_restricting_withdraws(
    db: Session, settings: Settings, scene: Scene, restricted: str
) -> None:
    publication = publish(db, settings, scene)
    form = vorhaben_service.form_from(vorhaben_service.get(db, scene.owner, scene.vorhaben.id))
    form.visibility = restricted
    if restricted == "circle":
        form.visibility = f"circle:{factories.circle(db, moderators=[scene.owner]).id}"
    vorhaben_service.update(db, settings, scene.owner, scene.vorhaben.id, form)
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted
    with pytest.raises(ValidationFailed) as caught:
        service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert "visibility" in caught.value.errors


def test_deleting_the_vorhaben_leaves_a_tombstone(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    vorhaben_service.delete_vorhaben(db, settings, scene.owner, scene.vorhaben.id)
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted


def test_contact_only_with_the_persons_own_consent(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, consent=True)
    entry = feed.get(db, publication.id)
    assert entry is not None
    assert entry.item["contact"] == {
        "name": "Olga Owner",
        "position": "Digitalisierungsbeauftragte",
        "email": "olga@owner.example",
    }
    assert erasure.republish_without(db, settings, scene.owner.id) == 1
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"] is None and entry.item["version"] == 2


def test_other_municipalities_cannot_publish(db: Session, settings: Settings, scene: Scene) -> None:
    stranger = factories.account(db)
    with pytest.raises(Forbidden):
        service.save(db, settings, stranger, scene.vorhaben.id, form_of(db, scene))


def test_partners_must_be_partners_of_the_vorhaben(
    db: Session, settings: Settings, scene: Scene
) -> None:
    form = form_of(db, scene)
    form.partner_municipalities = [factories.municipality(db, "Irgendwo").ags]
    with pytest.raises(ValidationFailed) as caught:
        service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    assert "partner_municipalities" in caught.value.errors
