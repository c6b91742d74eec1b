"""Content moderation: reports, automatic hiding, decisions; hidden content leaves every
surface at once (lists, search, similar, notifications, digests, the export layer)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.export import feed
from app.notifications import service as notifications
from app.outbox.models import OutboxMessage
from app.reports import service
from app.reports.models import ReportState
from app.search import query
from app.search.similar import similar
from app.vorhaben.listing import VorhabenFilter, list_vorhaben
from tests import factories
from tests.publishing import Scene, publish


def _mail_subjects(db: Session, to: str | None) -> list[str]:
    return [
        row.payload["subject"]
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == to
    ]


def test_reports_from_three_municipalities_hide_until_a_moderator_decides(
    db: Session, settings: Settings
) -> None:
    author = factories.account(db, "Anja Autorin")
    vorhaben = factories.vorhaben(db, author, "Kaufen Sie Software XY")
    town = factories.municipality(db, "Eine Stadt")
    same_town = [factories.account(db, municipality=town) for _ in range(3)]
    for reporter in same_town:
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "spam", "")
    assert vorhaben.hidden_at is None  # three reports, but one municipality
    for reporter in (factories.account(db), factories.account(db)):
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "spam", "Werbung")
    assert vorhaben.hidden_at is not None
    assert "mehrerer Kommunen" in str(vorhaben.hidden_reason)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "content_auto_hidden")).one()
    assert event.actor_id is None and event.subject_id == author.id
    assert any("ausgeblendet" in subject for subject in _mail_subjects(db, author.email))


def test_a_member_reports_once_and_never_their_own(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    reporter = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Thema")
    service.report(db, settings, reporter, "vorhaben", vorhaben.id, "wrong", "Stimmt nicht")
    with pytest.raises(Conflict):
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "wrong", "Nochmal")
    with pytest.raises(Forbidden):
        service.report(db, settings, author, "vorhaben", vorhaben.id, "spam", "")
    with pytest.raises(ValidationFailed):
        service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "x", "")


def test_hidden_content_leaves_every_surface(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    reader = factories.account(db, "Rudi Reader")
    publication = publish(db, settings, scene)
    vorhaben = scene.vorhaben
    comment = factories.comment(db, reader, vorhaben, "Ein Kommentar mit Zaunkönig")
    factories.comment(db, scene.owner, vorhaben, "Antwort", parent=comment)
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 1

    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Werbung")
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 0
    assert vorhaben.id not in [v.id for v in list_vorhaben(db, reader, VorhabenFilter()).items]
    assert similar(db, reader, "Digitaler Bauantrag") == []
    assert notifications.listing(db, reader) == []
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted  # the publication is withdrawn
    factories.login(client, db, reader)
    assert client.get(f"/vorhaben/{vorhaben.id}").status_code == 404
    # The author still sees it, with the reason, and may ask for a review once.
    assert query.search(db, scene.owner, "Bauantrag", VorhabenFilter()).total == 1
    service.request_review(db, settings, scene.owner, "vorhaben", vorhaben.id, "Bitte prüfen")
    with pytest.raises(Conflict):
        service.request_review(db, settings, scene.owner, "vorhaben", vorhaben.id, "Nochmal")
    assert [target.id for target in service.review_requests(db)] == [vorhaben.id]
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "restore", "Geprüft, ok")
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 1
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Doch")
    with pytest.raises(Conflict):  # once means once, even after a restore and a new hide
        service.request_review(db, settings, scene.owner, "vorhaben", vorhaben.id, "x")


def test_hidden_comments_leave_search_notifications_and_threads(
    client: TestClient, db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    owner = factories.account(db)
    troll = factories.account(db, "Troll")
    vorhaben = factories.vorhaben(db, owner, "Parkhaus")
    comment = factories.comment(db, troll, vorhaben, "Beleidigung Quokka")
    assert query.search(db, owner, "Quokka", VorhabenFilter()).total == 1
    assert notifications.unread_count(db, owner) == 1
    service.decide(db, settings, moderator, "comment", comment.id, "hide", "Beleidigend")
    assert query.search(db, owner, "Quokka", VorhabenFilter()).total == 0
    assert notifications.unread_count(db, owner) == 0
    factories.login(client, db, owner)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Quokka" not in page and "von der Moderation ausgeblendet" in page


def test_decisions_are_audited_told_and_never_about_own_content(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(
        db,
        role=factories.Role.MODERATOR,
        municipality=factories.municipality(db, "Moderatorenstadt"),
    )
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Diskussion")
    service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "other", "")
    with pytest.raises(ValidationFailed):
        service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "lock", "Erledigt")
    assert vorhaben.locked_at is not None
    with pytest.raises(Forbidden):
        factories.comment(db, factories.account(db), vorhaben, "Noch etwas")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "unlock", "")
    factories.comment(db, factories.account(db), vorhaben, "Wieder offen")
    own = factories.vorhaben(db, moderator, "Mein eigenes")
    with pytest.raises(Forbidden):
        service.decide(db, settings, moderator, "vorhaben", own.id, "hide", "x")
    own_comment = factories.comment(db, moderator, vorhaben, "Mein Kommentar")
    with pytest.raises(Forbidden):
        service.decide(db, settings, moderator, "comment", own_comment.id, "hide", "x")
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == moderator.id)))
    assert actions[-2:] == ["thread_locked", "thread_unlocked"]
    assert service.queue(db) == [] and service.queue(db, state="actioned")
    assert any("geschlossen" in subject for subject in _mail_subjects(db, author.email))


def test_suspending_the_author_hides_and_ends_sessions(db: Session, settings: Settings) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Spam")
    service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "spam", "")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "suspend", "Spam-Konto")
    assert author.state.value == "suspended" and vorhaben.hidden_at is not None
    from app.reports.models import Report

    assert {row.state for row in db.scalars(select(Report))} == {ReportState.ACTIONED}
