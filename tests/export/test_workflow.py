"""The publication workflow's edges: a declined change of a live publication, hidden
Vorhaben, personal consent, moderator withdrawal and self-review."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, ValidationFailed
from app.export import feed, review, service, withdrawal
from app.export.models import Publication, PublicationState
from app.moderation import reports
from app.outbox.models import Channel, OutboxMessage
from app.vorhaben import service as vorhaben_service
from tests import factories
from tests.export.contract import check_tombstone
from tests.publishing import Scene, form_of, publish


def _town(db: Session, scene: Scene) -> factories.Municipality:
    town = db.get(factories.Municipality, scene.owner.municipality_id)
    assert town is not None
    return town


def _decline_a_change(db: Session, settings: Settings, scene: Scene) -> Publication:
    """Publish version 1, submit a change, and have the moderator decline it."""
    publication = publish(db, settings, scene, title="Erste Fassung")
    form = form_of(db, scene)
    form.title = "Zweite Fassung"
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "decline", "Noch nicht")
    return publication


def test_a_declined_change_keeps_the_live_version_and_the_draft(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = _decline_a_change(db, settings, scene)
    assert publication.state is PublicationState.PUBLISHED and publication.live
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["title"] == "Erste Fassung"
    assert entry.item["version"] == 1
    # The owners keep what they typed, and can submit it again.
    assert form_of(db, scene).title == "Zweite Fassung"
    assert publication.last_decision == "decline" and publication.decision_reason == "Noch nicht"
    [mail] = [
        row.payload
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.MAIL))
        if "Nicht freigegeben" in row.payload["subject"]
    ]
    assert "Öffentlich bleibt die bisherige Version" in mail["text"]
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["title"] == "Zweite Fassung"
    assert entry.item["version"] == 2


def _withdraw(db: Session, settings: Settings, scene: Scene) -> None:
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)


def _delete(db: Session, settings: Settings, scene: Scene) -> None:
    vorhaben_service.delete_vorhaben(db, settings, scene.owner, scene.vorhaben.id)


def _restrict(db: Session, settings: Settings, scene: Scene) -> None:
    form = vorhaben_service.form_from(vorhaben_service.get(db, scene.owner, scene.vorhaben.id))
    form.visibility = "municipality"
    vorhaben_service.update(db, settings, scene.owner, scene.vorhaben.id, form)


def _hide(db: Session, settings: Settings, scene: Scene) -> None:
    reports.decide(db, settings, scene.moderator, "vorhaben", scene.vorhaben.id, "hide", "Werbung")


@pytest.mark.parametrize(
    "going_away",
    [_withdraw, _delete, _restrict, _hide],
    ids=["withdraw", "delete", "restrict", "hide"],
)
def test_after_a_declined_change_the_live_version_still_goes_away(
    db: Session,
    settings: Settings,
    scene: Scene,
    going_away: Callable[[Session, Settings, Scene], None],
) -> None:
    publication = _decline_a_change(db, settings, scene)
    going_away(db, settings, scene)
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted, "the old version stayed in the feed"
    check_tombstone(entry.item)
    refreshed = db.get(Publication, publication.id)
    assert refreshed is not None and not refreshed.live
    assert refreshed.state is PublicationState.WITHDRAWN
    events = [
        row.payload["event"]
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK))
    ]
    assert events == []  # no endpoint registered; the feed alone carries it here


def test_a_waiting_submission_leaves_the_queue_with_its_vorhaben(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert review.queue(db) == [publication]
    _hide(db, settings, scene)
    assert review.queue(db) == []
    assert feed.get(db, publication.id) is None  # never published: nothing to tombstone


def test_a_hidden_vorhaben_cannot_be_submitted_or_released(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    scene.vorhaben.hidden_at = utcnow()  # hidden after it was submitted
    db.flush()
    with pytest.raises(InvalidTransition, match="ausgeblendet"):
        review.decide(db, settings, scene.moderator, publication.id, "release", "")
    assert feed.get(db, publication.id) is None
    # Hidden the way moderators do it (hidden, it would not be theirs to decide on again).
    scene.vorhaben.hidden_at = None
    _hide(db, settings, scene)
    with pytest.raises(ValidationFailed) as caught:
        service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert "ausgeblendet" in caught.value.errors["visibility"]
    direct = settings.model_copy(update={"publication_review": False})
    with pytest.raises(ValidationFailed):
        service.submit(db, direct, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert feed.get(db, publication.id) is None


def test_consent_is_personal(db: Session, settings: Settings, scene: Scene) -> None:
    colleague = factories.account(db, "Carla Colleague", municipality=_town(db, scene))
    publication = publish(db, settings, scene, consent=True)
    assert form_of(db, scene).contact_consent is True
    theirs = service.form_for(db, scene.vorhaben, publication, colleague)
    assert theirs.contact_consent is False  # not ticked in the colleague's name
    assert service.contact_person(db, publication) == scene.owner
    # The colleague saves without ticking: Olga stays the contact, by her own consent.
    theirs.title = "Von Carla bearbeitet"
    service.save(db, settings, colleague, scene.vorhaben.id, theirs)
    assert publication.contact_account_id == scene.owner.id
    assert publication.contact_consent_at is not None
    live = feed.get(db, publication.id)  # nor does the live project lose her
    assert live is not None and live.item["version"] == 1 and live.item["contact"] is not None
    # Ticking it makes the colleague the contact instead.
    theirs.contact_consent = True
    service.save(db, settings, colleague, scene.vorhaben.id, theirs)
    assert publication.contact_account_id == colleague.id
    assert form_of(db, scene).contact_consent is False


def test_moderator_withdrawal_needs_a_reason_is_audited_and_mailed(
    db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    with pytest.raises(ValidationFailed) as caught:
        withdrawal.withdraw_by_moderator(db, settings, scene.moderator, publication.id, "  ")
    assert "reason" in caught.value.errors
    assert publication.live
    withdrawal.withdraw_by_moderator(
        db, settings, scene.moderator, publication.id, "Enthält Personendaten"
    )
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "publication_withdrawn_by_moderator")
    ).one()
    assert event.actor_id == scene.moderator.id and event.reason == "Enthält Personendaten"
    mails = [
        row.payload
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.MAIL))
        if row.payload["subject"].startswith("Zurückgezogen")
    ]
    assert [mail["to"] for mail in mails] == ["olga@owner.example"]
    assert "Enthält Personendaten" in mails[0]["text"]


def test_moderators_do_not_release_their_own_municipality(
    db: Session, settings: Settings, scene: Scene
) -> None:
    own = factories.account(
        db,
        "Moritz Eigen",
        role=factories.Role.MODERATOR,
        municipality=_town(db, scene),
    )
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    with pytest.raises(Forbidden, match="eigenen Kommune"):
        review.decide(db, settings, own, publication.id, "release", "")
    assert publication.state is PublicationState.SUBMITTED and feed.get(db, publication.id) is None
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    assert publication.live
