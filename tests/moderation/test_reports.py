"""Content moderation: reports, automatic hiding, decisions and who is told of them (the
surfaces hidden content leaves are tested in test_hidden_surfaces.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.config import Settings
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.membership import accounts
from app.moderation import queue as report_queue
from app.moderation import reports as service
from app.moderation.models import Report, ReportState
from app.municipalities.models import Municipality
from app.outbox.models import OutboxMessage
from app.vorhaben.models import Visibility
from tests import factories


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
    assert report_queue.queue(db) == [] and report_queue.queue(db, state="actioned")
    assert any("geschlossen" in subject for subject in _mail_subjects(db, author.email))


def test_suspending_the_author_hides_and_ends_sessions(db: Session, settings: Settings) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Spam")
    service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "spam", "")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "suspend", "Spam-Konto")
    assert author.state.value == "suspended" and vorhaben.hidden_at is not None
    assert {row.state for row in db.scalars(select(Report))} == {ReportState.ACTIONED}


# -- every measure is audited and told -----------------------------------------------------


def _mails_since(db: Session, last_id: int) -> list[dict[str, str]]:
    return [
        row.payload
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.id > last_id))
        if row.channel.value == "mail"
    ]


def _last_outbox_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0


def _events_since(db: Session, last_id: int) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.id > last_id)))


def _last_event_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0


MEASURES = {
    # action: (what must already be true, audit action, words in the author's mail subject)
    "hide": (None, "content_hidden", "wurde ausgeblendet"),
    "restore": ("hide", "content_restored", "wieder sichtbar"),
    "lock": (None, "thread_locked", "Diskussion geschlossen"),
    "unlock": ("lock", "thread_unlocked", "Diskussion wieder offen"),
    "suspend": (None, "account_suspended", "Konto bei Allmende ist gesperrt"),
}


@pytest.mark.parametrize("action", list(MEASURES))
def test_every_measure_is_audited_and_told_to_the_author(
    db: Session, settings: Settings, action: str
) -> None:
    before, audit_action, subject = MEASURES[action]
    moderator = factories.account(db, "Mara Moderatorin", role=factories.Role.MODERATOR)
    author = factories.account(db, "Anja Autorin", email="anja@stadt.example")
    vorhaben = factories.vorhaben(db, author, "Ein Vorhaben")
    service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "spam", "")
    if before:
        other = factories.account(db, role=factories.Role.MODERATOR)
        service.decide(db, settings, other, "vorhaben", vorhaben.id, before, "Vorher")
    if before == "hide":  # hidden content is the moderators' again once its author asks
        service.request_review(db, settings, author, "vorhaben", vorhaben.id, "Bitte")
    mails, events = _last_outbox_id(db), _last_event_id(db)

    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, action, "Begründung XY")
    told = [mail for mail in _mails_since(db, mails) if mail["to"] == "anja@stadt.example"]
    assert any(subject in mail["subject"] for mail in told), [m["subject"] for m in told]
    assert any("Begründung XY" in mail["text"] for mail in told)
    recorded = [
        (event.action, event.actor_id, event.subject_id) for event in _events_since(db, events)
    ]
    assert (audit_action, moderator.id, author.id) in recorded


def test_hiding_a_comment_tells_its_author(db: Session, settings: Settings) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    owner = factories.account(db, email="owner@stadt.example")
    troll = factories.account(db, email="troll@stadt.example")
    comment = factories.comment(db, troll, factories.vorhaben(db, owner, "Thema"), "Böse")
    mails = _last_outbox_id(db)
    service.decide(db, settings, moderator, "comment", comment.id, "hide", "Beleidigend")
    subjects = {mail["to"]: mail["subject"] for mail in _mails_since(db, mails)}
    assert "ausgeblendet" in subjects["troll@stadt.example"]
    assert "owner@stadt.example" not in subjects


def test_a_dismissal_tells_the_reporters_and_not_the_author(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db, email="anja@stadt.example")
    vorhaben = factories.vorhaben(db, author, "Harmloses Vorhaben")
    ria = factories.account(db, email="ria@stadt.example")
    rolf = factories.account(db, email="rolf@dorf.example")
    for reporter in (ria, rolf):
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "wrong", "Falsch")
    mails, events = _last_outbox_id(db), _last_event_id(db)

    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "dismiss", "Kein Verstoß")
    sent = _mails_since(db, mails)
    assert sorted(mail["to"] for mail in sent) == ["ria@stadt.example", "rolf@dorf.example"]
    for mail in sent:
        assert "Ihre Meldung wurde geprüft" in mail["subject"]
        assert "Harmloses Vorhaben" in mail["subject"]
        assert "bleibt sichtbar" in mail["text"] and "Kein Verstoß" in mail["text"]
        assert "Kein Verstoß" in mail["html"]
    event = next(e for e in _events_since(db, events) if e.action == "reports_dismissed")
    assert event.actor_id == moderator.id and event.reason == "Kein Verstoß"
    assert {row.state for row in db.scalars(select(Report))} == {ReportState.DISMISSED}
    assert vorhaben.hidden_at is None


def test_reporters_no_longer_shared_with_are_not_mailed_the_title(
    db: Session, settings: Settings
) -> None:
    """Restricted to its municipality after the report: the decision's mail (with the title)
    goes only to reporters who may still read it."""
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Geheimes Thema")
    colleague = factories.account(
        db, email="kollege@stadt.example", municipality=db.get(Municipality, author.municipality_id)
    )
    outsider = factories.account(db, email="aussen@dorf.example")
    for reporter in (colleague, outsider):
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "wrong", "Stimmt nicht")
    vorhaben.visibility = Visibility.MUNICIPALITY
    db.flush()
    mails = _last_outbox_id(db)
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "dismiss", "Passt so")
    sent = _mails_since(db, mails)
    assert [mail["to"] for mail in sent] == ["kollege@stadt.example"]
    assert "Geheimes Thema" in sent[0]["subject"]
    assert not any("Geheimes Thema" in str(mail) for mail in sent[1:])


def test_dismissing_auto_hidden_content_restores_it_and_tells_both(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db, email="anja@stadt.example")
    vorhaben = factories.vorhaben(db, author, "Umstrittenes Vorhaben")
    reporters = [factories.account(db) for _ in range(settings.report_hide_threshold)]
    for reporter in reporters:
        service.report(db, settings, reporter, "vorhaben", vorhaben.id, "spam", "")
    assert vorhaben.hidden_at is not None
    mails = _last_outbox_id(db)
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "dismiss", "Alles gut")
    assert vorhaben.hidden_at is None
    subjects = {mail["to"]: mail["subject"] for mail in _mails_since(db, mails)}
    assert "wieder sichtbar" in subjects["anja@stadt.example"]
    assert all("Meldung wurde geprüft" in subjects[str(r.email)] for r in reporters)


def test_reporters_learn_the_outcome_but_not_the_authors_fate(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Spam-Vorhaben")
    service.report(
        db,
        settings,
        factories.account(db, email="ria@stadt.example"),
        "vorhaben",
        vorhaben.id,
        "spam",
        "",
    )
    mails = _last_outbox_id(db)
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "suspend", "Nur für Anja")
    to_reporter = [mail for mail in _mails_since(db, mails) if mail["to"] == "ria@stadt.example"]
    assert len(to_reporter) == 1
    assert "ausgeblendet" in to_reporter[0]["text"]
    assert "Nur für Anja" not in to_reporter[0]["text"]
    assert "gesperrt" not in to_reporter[0]["text"]


@pytest.mark.parametrize(
    ("before", "action"),
    [
        (None, "restore"),  # nothing is hidden
        (None, "unlock"),  # nothing is locked
        ("lock", "lock"),  # already locked
        ("dismiss", "dismiss"),  # no open report left, nothing hidden
        ("suspend", "suspend"),  # the author is suspended already
    ],
)
def test_a_measure_that_changes_nothing_is_refused(
    db: Session, settings: Settings, before: str | None, action: str
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Thema")
    service.report(db, settings, factories.account(db), "vorhaben", vorhaben.id, "spam", "")
    if before == "suspend":  # suspended elsewhere: the reported Vorhaben stays readable
        accounts.suspend(db, settings, moderator, author.id, "Erst")
    elif before:
        service.decide(db, settings, moderator, "vorhaben", vorhaben.id, before, "Erst")
    mails, events = _last_outbox_id(db), _last_event_id(db)
    with pytest.raises(ValidationFailed) as refused:
        service.decide(db, settings, moderator, "vorhaben", vorhaben.id, action, "Nochmal")
    assert "action" in refused.value.errors
    assert _mails_since(db, mails) == [] and _events_since(db, events) == []


# -- own content, the threshold, the one review ------------------------------------------------


def test_a_moderator_cannot_lock_the_discussion_of_their_own_vorhaben(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(
        db, role=factories.Role.MODERATOR, municipality=factories.municipality(db, "Modstadt")
    )
    own = factories.vorhaben(db, moderator, "Mein Vorhaben")
    comment = factories.comment(db, factories.account(db), own, "Ein fremder Kommentar")
    service.report(db, settings, factories.account(db), "comment", comment.id, "offensive", "")
    with pytest.raises(Forbidden):
        service.decide(db, settings, moderator, "comment", comment.id, "lock", "Schluss")
    with pytest.raises(Forbidden):
        service.decide(db, settings, moderator, "vorhaben", own.id, "suspend", "Ich")
    assert own.locked_at is None and moderator.state.value == "approved"
    # Someone else's comment on it is not the moderator's own content.
    service.decide(db, settings, moderator, "comment", comment.id, "hide", "Beleidigend")
    assert comment.hidden_at is not None


def test_the_threshold_counts_distinct_municipalities_of_open_reports(
    db: Session, settings: Settings
) -> None:
    two = settings.model_copy(update={"report_hide_threshold": 2})
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, factories.account(db), "Grenzfall")
    town, village, city = (factories.municipality(db, name) for name in ("Stadt", "Dorf", "Ort"))

    def report_from(where: Municipality | None, role: Role = Role.MEMBER) -> None:
        reporter = factories.account(db, municipality=where, role=role)
        service.report(db, two, reporter, "vorhaben", vorhaben.id, "spam", "")

    for _ in range(3):
        report_from(town)
    # A moderator has no municipality: their report counts as a report, not as a place.
    report_from(None, Role.MODERATOR)
    assert vorhaben.hidden_at is None
    report_from(village)
    assert vorhaben.hidden_at is not None

    # Dismissed reports no longer count: one new place is not enough to hide it again.
    service.decide(db, two, moderator, "vorhaben", vorhaben.id, "dismiss", "Kein Spam")
    assert vorhaben.hidden_at is None
    report_from(city)
    assert vorhaben.hidden_at is None
    report_from(town)
    assert vorhaben.hidden_at is not None


def test_only_the_author_asks_for_a_review_and_only_of_hidden_content(
    db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Thema")
    with pytest.raises(NotFound):  # nothing hidden, nothing to review
        service.request_review(db, settings, author, "vorhaben", vorhaben.id, "")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Werbung")
    with pytest.raises(NotFound):
        service.request_review(db, settings, factories.account(db), "vorhaben", vorhaben.id, "")
    mails = _last_outbox_id(db)
    service.request_review(db, settings, author, "vorhaben", vorhaben.id, "Bitte nochmal")
    assert [mail["to"] for mail in _mails_since(db, mails)] == [moderator.email]
    assert [target.id for target in report_queue.review_requests(db)] == [vorhaben.id]
    with pytest.raises(Conflict):
        service.request_review(db, settings, author, "vorhaben", vorhaben.id, "Und nochmal")
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "restore", "Geprüft, ok")
    assert report_queue.review_requests(db) == []
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Doch")
    with pytest.raises(Conflict):  # once means once, even after a restore and a new hide
        service.request_review(db, settings, author, "vorhaben", vorhaben.id, "x")
