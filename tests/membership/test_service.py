"""The application state machine, auto-approval and its limits, decisions and their traces."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import AuthSession
from app.config import Settings
from app.core import clock
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, ValidationFailed
from app.core.pagination import Page
from app.membership import accounts, domains, service
from app.membership import queue as applications
from app.membership.models import (
    Application,
    ApplicationEventKind,
    ApplicationState,
    MunicipalityDomain,
)
from app.outbox.models import OutboxMessage
from tests import factories


def _mails(db: Session) -> list[dict[str, str]]:
    return [row.payload for row in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def moderator(db: Session) -> factories.Account:
    return factories.account(db, "Mara Moser", role=Role.MODERATOR, email="mara@verband.example")


def test_submitting_records_history_audits_and_mails_the_moderators(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, "Alice", state=AccountState.PENDING)
    kiel = factories.municipality(db, "Kiel")
    application = service.submit_application(
        db, settings, applicant, service.ApplicationForm(kiel.ags, " CDO ", "Darum\r\n")
    )
    assert application.state is ApplicationState.SUBMITTED
    assert application.position == "CDO" and application.reason == "Darum"
    assert applicant.municipality_id == kiel.id
    assert "application_submitted" in _actions(db)
    [mail] = _mails(db)
    assert mail["to"] == "mara@verband.example"
    assert "Alice" in mail["subject"] and "Kiel" in mail["subject"]
    assert f"/moderation/applications/{application.id}" in mail["text"]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (service.ApplicationForm("", "CDO", ""), "municipality_ags"),
        (service.ApplicationForm("00000000", "CDO", ""), "municipality_ags"),
        (service.ApplicationForm("{kiel}", "", ""), "position"),
        (service.ApplicationForm("{kiel}", "x" * 201, ""), "position"),
        (service.ApplicationForm("{kiel}", "CDO", "x" * 5001), "reason"),
        (service.ApplicationForm("{kiel}", "CDO\u202e", ""), "position"),
        (service.ApplicationForm("{kiel}", "CDO", "a\x00b"), "reason"),
    ],
)
def test_invalid_applications_name_the_field(
    db: Session, settings: Settings, form: service.ApplicationForm, field: str
) -> None:
    applicant = factories.account(db, state=AccountState.PENDING)
    kiel = factories.municipality(db, "Kiel")
    form.municipality_ags = form.municipality_ags.replace("{kiel}", kiel.ags)
    with pytest.raises(ValidationFailed) as caught:
        service.submit_application(db, settings, applicant, form)
    assert field in caught.value.errors


def test_the_state_machine_refuses_skipped_steps(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, state=AccountState.PENDING)
    application = factories.application(db, applicant)
    service.decide(db, settings, moderator, application.id, "approve", "")
    with pytest.raises(InvalidTransition):
        service.decide(db, settings, moderator, application.id, "decline", "zu spät")
    with pytest.raises(InvalidTransition):
        service.answer_info_request(db, settings, applicant, "Antwort")


def test_request_info_answer_approve(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, state=AccountState.PENDING, email="a@kiel.example")
    application = factories.application(db, applicant)
    with pytest.raises(ValidationFailed):
        service.decide(db, settings, moderator, application.id, "request_info", "  ")
    service.decide(db, settings, moderator, application.id, "request_info", "Welche Abteilung?")
    assert applicant.state is AccountState.NEEDS_INFO
    service.answer_info_request(db, settings, applicant, "Hauptamt")
    assert application.state is ApplicationState.SUBMITTED
    assert applicant.state is AccountState.PENDING
    service.decide(db, settings, moderator, application.id, "approve", "Willkommen")
    assert applicant.state is AccountState.APPROVED and applicant.is_member
    latest = service.latest_application(db, applicant.id)
    assert latest is not None
    kinds = [event.kind for event in latest.events]
    assert kinds == [
        ApplicationEventKind.SUBMITTED,
        ApplicationEventKind.INFO_REQUESTED,
        ApplicationEventKind.INFO_PROVIDED,
        ApplicationEventKind.APPROVED,
    ]
    assert _actions(db) == [
        "application_info_requested",
        "application_info_provided",
        "application_approved",
    ]
    events = db.scalars(select(AuditEvent).where(AuditEvent.actor_id == moderator.id)).all()
    assert {event.subject_id for event in events} == {applicant.id}
    subjects = [mail["subject"] for mail in _mails(db)]
    assert any("Rückfrage" in subject for subject in subjects)
    assert any("Willkommen" in subject for subject in subjects)


def test_decline_ends_sessions_and_allows_a_new_application(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, state=AccountState.PENDING)
    application = factories.application(db, applicant)
    sessions.create(db, settings, applicant, provider="sso", auth_time=utcnow())
    service.decide(db, settings, moderator, application.id, "decline", "Keine Kommune")
    assert applicant.state is AccountState.DECLINED
    assert applicant.state_reason == "Keine Kommune"
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
    assert service.can_apply(db, applicant)
    again = service.submit_application(
        db,
        settings,
        applicant,
        service.ApplicationForm(factories.municipality(db, "Neu").ags, "CDO", ""),
    )
    assert again.id != application.id
    assert applications.earlier_applications(db, again)[0].id == application.id


def test_nobody_decides_on_their_own_application(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    application = factories.application(db, moderator)
    with pytest.raises(Forbidden):
        service.decide(db, settings, moderator, application.id, "approve", "")


@pytest.mark.parametrize(
    ("enabled", "verified_email", "domain_on", "approved"),
    [
        (True, True, "same", True),
        (False, True, "same", False),  # the operator did not enable it
        (True, False, "same", False),  # the provider did not verify the address
        (True, True, "other", False),  # the domain belongs to another municipality
        (True, True, None, False),  # nobody verified the domain
    ],
)
def test_auto_approval_only_for_a_verified_domain_of_the_chosen_municipality(
    db: Session,
    settings: Settings,
    moderator: factories.Account,
    enabled: bool,
    verified_email: bool,
    domain_on: str | None,
    approved: bool,
) -> None:
    kiel = factories.municipality(db, "Kiel")
    other = factories.municipality(db, "Anderswo")
    if domain_on:
        domains.add(db, moderator, (kiel if domain_on == "same" else other).ags, "kiel.de")
    applicant = factories.account(
        db, state=AccountState.PENDING, email="x@kiel.de", email_verified=verified_email
    )
    configured = settings.model_copy(update={"auto_approve_verified_domains": enabled})
    application = service.submit_application(
        db, configured, applicant, service.ApplicationForm(kiel.ags, "CDO", "")
    )
    assert (applicant.state is AccountState.APPROVED) is approved
    assert application.auto_approved is approved
    if approved:
        assert "application_auto_approved" in _actions(db)


def test_a_second_identity_does_not_inherit_an_approval(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    member = factories.account(db, email="x@kiel.de", issuer="https://idp-a")
    newcomer = factories.account(
        db, state=AccountState.PENDING, email="x@kiel.de", issuer="https://idp-b"
    )
    assert member.is_member and not newcomer.is_member
    assert service.landing_path(db, newcomer) == "/membership/apply"


def test_reminders_go_out_once_after_48_hours(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, "Wartende Person", state=AccountState.PENDING)
    factories.application(db, applicant)
    assert service.send_reminders(db, settings) == 0
    clock.travel(dt.timedelta(hours=49))
    assert service.send_reminders(db, settings) == 1
    assert service.send_reminders(db, settings) == 0
    reminder = _mails(db)[-1]
    assert "48 Stunden" in reminder["subject"] and "Wartende Person" in reminder["text"]


def test_queue_filters_by_state_land_and_age(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    land_a = factories.municipality(db, "Land A", level=factories.Level.LAND)
    land_b = factories.municipality(db, "Land B", level=factories.Level.LAND)
    in_a = factories.application(
        db,
        factories.account(db, "In A", state=AccountState.PENDING),
        factories.municipality(db, "Stadt A", land=land_a),
    )
    clock.travel(dt.timedelta(days=3))
    in_b = factories.application(
        db,
        factories.account(db, "In B", state=AccountState.PENDING),
        factories.municipality(db, "Stadt B", land=land_b),
    )

    def ids(page: Page[Application]) -> list[int]:
        return [entry.id for entry in page.items]

    assert ids(applications.queue(db, applications.QueueFilter())) == [in_a.id, in_b.id]
    assert ids(applications.queue(db, applications.QueueFilter(land_id=land_b.id))) == [in_b.id]
    assert ids(applications.queue(db, applications.QueueFilter(older_than_days=2))) == [in_a.id]
    first = applications.queue(db, applications.QueueFilter(), limit=1)
    assert ids(first) == [in_a.id] and first.next_cursor
    assert ids(applications.queue(db, applications.QueueFilter(), after=first.next_cursor)) == [
        in_b.id
    ]
    service.decide(db, settings, moderator, in_a.id, "decline", "nein")
    assert ids(applications.queue(db, applications.QueueFilter(state="declined"))) == [in_a.id]


def test_suspension_ends_all_sessions_at_once_and_is_reversible(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    member = factories.account(db)
    sessions.create(db, settings, member, provider="sso", auth_time=utcnow())
    sessions.create(db, settings, member, provider="sso", auth_time=utcnow())
    with pytest.raises(ValidationFailed):
        accounts.suspend(db, settings, moderator, member.id, "")
    accounts.suspend(db, settings, moderator, member.id, "Spam")
    assert member.state is AccountState.SUSPENDED
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
    with pytest.raises(InvalidTransition):
        accounts.suspend(db, settings, moderator, member.id, "nochmal")
    accounts.reinstate(db, settings, moderator, member.id, "Geklärt")
    assert member.state is AccountState.APPROVED
    assert _actions(db)[-2:] == ["account_suspended", "account_reinstated"]


def test_moderators_cannot_suspend_moderators_or_themselves(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    colleague = factories.account(db, role=Role.MODERATOR)
    with pytest.raises(Forbidden):
        accounts.suspend(db, settings, moderator, colleague.id, "Streit")
    with pytest.raises(Forbidden):
        accounts.suspend(db, settings, moderator, moderator.id, "Selbst")


def test_only_admins_grant_roles_and_never_to_themselves(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    admin = factories.account(db, role=Role.ADMIN)
    member = factories.account(db)
    with pytest.raises(Forbidden):
        accounts.set_role(db, settings, moderator, member.id, "moderator")
    accounts.set_role(db, settings, admin, member.id, "moderator")
    assert member.role is Role.MODERATOR and member.is_moderator
    with pytest.raises(Forbidden):
        accounts.set_role(db, settings, admin, admin.id, "member")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "role_changed")).one()
    assert event.details == {"previous": "member", "role": "moderator"}


def test_promote_bootstraps_the_first_admin_by_mail_or_id(db: Session) -> None:
    person = factories.account(db, state=AccountState.PENDING, email="Chefin@Verband.example")
    promoted = accounts.promote(db, "chefin@verband.example", "admin")
    assert promoted.id == person.id and promoted.is_admin
    assert accounts.promote(db, str(person.id), "moderator").role is Role.MODERATOR


def test_domains_are_normalised_unique_and_audited(
    db: Session, moderator: factories.Account
) -> None:
    kiel = factories.municipality(db, "Kiel")
    entry = domains.add(db, moderator, kiel.ags, " @Kiel.DE ")
    assert entry.domain == "kiel.de"
    with pytest.raises(ValidationFailed) as caught:
        domains.add(db, moderator, kiel.ags, "kiel.de")
    assert "domain" in caught.value.errors
    with pytest.raises(ValidationFailed):
        domains.add(db, moderator, kiel.ags, "not a domain")
    umlaut = domains.add(db, moderator, kiel.ags, "münchen.de")
    assert umlaut.domain == "xn--mnchen-3ya.de"
    domains.remove(db, moderator, entry.id)
    assert db.scalar(select(func.count()).select_from(MunicipalityDomain)) == 1
    assert _actions(db) == ["domain_verified", "domain_verified", "domain_removed"]


def _audit(db: Session, action: str) -> AuditEvent:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).one()


def test_a_decline_needs_a_reason_and_is_audited_and_mailed_with_it(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, "Dora", state=AccountState.PENDING, email="dora@x.example")
    application = factories.application(db, applicant)
    with pytest.raises(ValidationFailed) as caught:
        service.decide(db, settings, moderator, application.id, "decline", " \n ")
    assert set(caught.value.errors) == {"reason"}
    assert application.state is ApplicationState.SUBMITTED
    service.decide(db, settings, moderator, application.id, "decline", "Keine Kommune")
    event = _audit(db, "application_declined")
    assert (event.actor_id, event.subject_id) == (moderator.id, applicant.id)
    assert event.reason == "Keine Kommune" and event.object_id == str(application.id)
    [mail] = [mail for mail in _mails(db) if mail["to"] == "dora@x.example"]
    assert mail["subject"] == "Ihr Antrag bei Allmende"
    assert "abgelehnt" in mail["text"] and "Keine Kommune" in mail["text"]
    assert "Keine Kommune" in mail["html"]


@pytest.mark.parametrize("email_verified", [True, False])
def test_an_approval_records_what_the_moderator_saw_and_passes_on_its_reason(
    db: Session, settings: Settings, moderator: factories.Account, email_verified: bool
) -> None:
    kiel = factories.municipality(db, "Kiel")
    domains.add(db, moderator, kiel.ags, "kiel.de")
    applicant = factories.account(
        db, state=AccountState.PENDING, email="eva@kiel.de", email_verified=email_verified
    )
    application = service.submit_application(
        db, settings, applicant, service.ApplicationForm(kiel.ags, "CDO", "")
    )
    service.decide(db, settings, moderator, application.id, "approve", "Schön, dass Sie da sind")
    event = _audit(db, "application_approved")
    assert event.reason == "Schön, dass Sie da sind"
    assert event.details == {
        "domain": "kiel.de",
        "domain_verified": True,
        "email_verified": email_verified,
    }
    [mail] = [mail for mail in _mails(db) if mail["to"] == "eva@kiel.de"]
    assert mail["subject"] == "Willkommen bei Allmende"
    assert "Nachricht der Moderation: Schön, dass Sie da sind" in mail["text"]


def test_an_approval_without_reason_is_allowed_and_says_nothing_extra(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    applicant = factories.account(db, state=AccountState.PENDING, email="fritz@x.example")
    application = factories.application(db, applicant)
    service.decide(db, settings, moderator, application.id, "approve", "")
    event = _audit(db, "application_approved")
    assert event.reason is None
    assert event.details["domain_verified"] is False
    assert event.details["email_verified"] is False  # the factory's claims carry no flag
    [mail] = [mail for mail in _mails(db) if mail["to"] == "fritz@x.example"]
    assert "Nachricht der Moderation" not in mail["text"]


def test_suspension_reinstatement_and_role_changes_are_mailed_and_audited(
    db: Session, settings: Settings, moderator: factories.Account
) -> None:
    admin = factories.account(db, "Anton", role=Role.ADMIN)
    member = factories.account(db, "Greta", email="greta@x.example")

    def mails_to_member() -> list[dict[str, str]]:
        return [mail for mail in _mails(db) if mail["to"] == "greta@x.example"]

    accounts.suspend(db, settings, moderator, member.id, "Werbung in Kommentaren")
    suspended = _audit(db, "account_suspended")
    assert (suspended.actor_id, suspended.subject_id) == (moderator.id, member.id)
    assert suspended.reason == "Werbung in Kommentaren"
    assert mails_to_member()[-1]["subject"] == "Ihr Konto bei Allmende ist gesperrt"
    assert "Werbung in Kommentaren" in mails_to_member()[-1]["text"]

    accounts.reinstate(db, settings, moderator, member.id, "Missverständnis geklärt")
    reinstated = _audit(db, "account_reinstated")
    assert reinstated.actor_id == moderator.id and reinstated.reason == "Missverständnis geklärt"
    mail = mails_to_member()[-1]
    assert mail["subject"] == "Ihr Konto bei Allmende ist wieder freigeschaltet"
    assert "Missverständnis geklärt" in mail["text"]

    accounts.set_role(db, settings, admin, member.id, "moderator", "Verstärkung")
    changed = _audit(db, "role_changed")
    assert (changed.actor_id, changed.subject_id) == (admin.id, member.id)
    assert changed.reason == "Verstärkung"
    mail = mails_to_member()[-1]
    assert mail["subject"] == "Ihre Rolle bei Allmende hat sich geändert"
    assert "Ihre Rolle bei Allmende ist jetzt: Moderation" in mail["text"]
    assert len(mails_to_member()) == 3
