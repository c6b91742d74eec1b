"""Membership: applications and their state machine, decisions, suspension, roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.models import Account, AccountState, Identity, Role
from app.audit import service as audit
from app.auth import sessions
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.fields import REASON_MAX, check_text, checked_text, reason_text
from app.i18n import gettext as _
from app.membership import mails
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationState,
    MunicipalityDomain,
)
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality

POSITION_MAX = 200
REMINDER_AFTER = dt.timedelta(hours=48)

# The application state machine: (state, verb) -> new state.
TRANSITIONS: dict[tuple[ApplicationState, str], ApplicationState] = {
    (ApplicationState.SUBMITTED, "approve"): ApplicationState.APPROVED,
    (ApplicationState.SUBMITTED, "decline"): ApplicationState.DECLINED,
    (ApplicationState.SUBMITTED, "request_info"): ApplicationState.NEEDS_INFO,
    (ApplicationState.NEEDS_INFO, "approve"): ApplicationState.APPROVED,
    (ApplicationState.NEEDS_INFO, "decline"): ApplicationState.DECLINED,
    (ApplicationState.NEEDS_INFO, "answer"): ApplicationState.SUBMITTED,
    # The central moderation reverses a decision (a contact person's, say): the application
    # is open again.
    (ApplicationState.APPROVED, "reopen"): ApplicationState.SUBMITTED,
    (ApplicationState.DECLINED, "reopen"): ApplicationState.SUBMITTED,
}
DECISIONS = ("approve", "decline", "request_info")


def _transition(application: Application, verb: str) -> ApplicationState:
    target = TRANSITIONS.get((application.state, verb))
    if target is None:
        raise InvalidTransition(
            _("Dieser Antrag wurde bereits entschieden oder wartet auf etwas anderes.")
        )
    return target


# -- reading -------------------------------------------------------------------------------


def latest_application(db: Session, account_id: int, *, lock: bool = False) -> Application | None:
    """The account's most recent application, with municipality and history."""
    query = (
        select(Application)
        .where(Application.account_id == account_id)
        .options(
            joinedload(Application.municipality).joinedload(Municipality.land),
            selectinload(Application.events),
        )
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
        # The history may have grown in this transaction since it was first loaded.
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Application)
    return db.scalars(query).first()


def landing_path(db: Session, account: Account) -> str:
    """Where a signed-in account that is not (yet) a member belongs."""
    if account.is_member:
        return "/"
    if account.state is AccountState.PENDING and latest_application(db, account.id) is None:
        return "/membership/apply"
    return "/membership/status"


def can_apply(db: Session, account: Account) -> bool:
    """A new account without an open application, or a declined one, may (re-)apply."""
    if account.state is AccountState.DECLINED:
        return True
    if account.state is not AccountState.PENDING:
        return False
    latest = latest_application(db, account.id)
    return latest is None or not latest.is_open


def moderators(db: Session) -> list[Account]:
    """Approved moderators and admins (the receivers of moderation mails)."""
    return list(
        db.scalars(
            select(Account).where(
                Account.state == AccountState.APPROVED,
                Account.role.in_((Role.MODERATOR, Role.ADMIN)),
            )
        )
    )


def local_contacts(db: Session, municipality_id: int) -> list[Account]:
    """The approved contact persons of a municipality (told of applications from it)."""
    return list(
        db.scalars(
            select(Account).where(
                Account.state == AccountState.APPROVED,
                Account.local_contact.is_(True),
                Account.municipality_id == municipality_id,
            )
        )
    )


def identity_claims(db: Session, account_id: int) -> tuple[dict[str, object], bool, str | None]:
    identity = db.scalars(
        select(Identity)
        .where(Identity.account_id == account_id)
        .order_by(Identity.last_login_at.desc())
        .limit(1)
    ).first()
    if identity is None:
        return {}, False, None
    domain = (
        identity.email.rsplit("@", 1)[1].lower()
        if identity.email and "@" in identity.email
        else None
    )
    return dict(identity.claims), identity.email_verified, domain


def lock_account(db: Session, account_id: int) -> Account:
    """Lock an account's row for the rest of the transaction and re-read it.

    Every step of an application locks its applicant first (and then the application), so
    two moderators deciding at once, a double submit or an answer racing a decision run
    one after the other: the later one sees the earlier one's result and is refused by the
    state machine. One order everywhere (account, then application) so they cannot
    deadlock. SQLite ignores FOR UPDATE; there BEGIN IMMEDIATE already serialises writers.
    """
    account = db.scalars(
        select(Account)
        .where(Account.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if account is None:
        raise NotFound
    return account


def domain_verified_for(db: Session, domain: str | None, municipality_id: int) -> bool:
    """Whether a moderator verified this exact mail domain for this municipality."""
    if not domain:
        return False
    return (
        db.scalar(
            select(func.count())
            .select_from(MunicipalityDomain)
            .where(
                MunicipalityDomain.domain == domain.lower(),
                MunicipalityDomain.municipality_id == municipality_id,
            )
        )
        or 0
    ) > 0


@dataclass(frozen=True)
class ReviewFacts:
    """What a moderator is shown about an application's mail address, and what a decision
    records as seen: auto-approval needs both facts, a moderator should see both too."""

    domain: str | None
    domain_verified: bool  # a moderator verified this domain for the chosen municipality
    email_verified: bool  # the identity provider says it verified the address

    @property
    def would_auto_approve(self) -> bool:
        return self.domain_verified and self.email_verified


def review_facts(db: Session, application: Application) -> ReviewFacts:
    """The mail-domain facts of an application (provider claims as filed, domains as now)."""
    return ReviewFacts(
        domain=application.email_domain,
        domain_verified=domain_verified_for(
            db, application.email_domain, application.municipality_id
        ),
        email_verified=(application.claims or {}).get("email_verified") is True,
    )


# -- the applicant's side -------------------------------------------------------------------


@dataclass
class ApplicationForm:
    municipality_ags: str = ""
    position: str = ""
    reason: str = ""


def submit_application(
    db: Session, settings: Settings, account: Account, form: ApplicationForm
) -> Application:
    """File an application; approve at once only for a verified domain when enabled."""
    lock_account(db, account.id)
    if not can_apply(db, account):
        raise InvalidTransition(_("Sie haben bereits einen offenen Antrag."))
    errors: dict[str, str] = {}
    municipality = None
    ags = form.municipality_ags.strip()
    if not ags:
        errors["municipality_ags"] = _("Bitte wählen Sie Ihre Kommune aus.")
    else:
        municipality = municipalities.get_by_ags(db, ags)
        if municipality is None or not municipalities.is_selectable(municipality):
            errors["municipality_ags"] = _("Diese Kommune gibt es im Verzeichnis nicht.")
    position = check_text(
        errors,
        "position",
        form.position,
        limit=POSITION_MAX,
        required=True,
        missing=_("Bitte geben Sie Ihre Funktion an."),
    )
    reason = check_text(errors, "reason", form.reason, limit=REASON_MAX)
    if errors or municipality is None:
        raise ValidationFailed(errors)

    claims, email_verified, domain = identity_claims(db, account.id)
    verified = domain_verified_for(db, domain, municipality.id)
    application = Application(
        account_id=account.id,
        municipality_id=municipality.id,
        position=position,
        reason=reason,
        email_domain=domain,
        domain_verified=verified and email_verified,
        # The flag as auto-approval read it (a provider that sent none counts as "no"), so
        # the review page and the decision's audit event show the same fact.
        claims={**claims, "email_verified": email_verified},
    )
    db.add(application)
    db.flush()
    db.add(
        ApplicationEvent(
            application_id=application.id,
            actor_id=account.id,
            kind=ApplicationEventKind.SUBMITTED,
            message=reason,
        )
    )
    account.state = AccountState.PENDING
    account.state_reason = None
    account.municipality_id = municipality.id
    account.position = position
    audit.record(
        db,
        "application_submitted",
        actor_id=account.id,
        object_type="application",
        object_id=application.id,
        subject_id=account.id,
        municipality=municipality.ags,
    )

    if settings.auto_approve_verified_domains and application.domain_verified:
        application.state = ApplicationState.APPROVED
        application.auto_approved = True
        application.decided_at = utcnow()
        account.state = AccountState.APPROVED
        account.approved_at = utcnow()
        db.add(
            ApplicationEvent(
                application_id=application.id,
                actor_id=None,
                kind=ApplicationEventKind.AUTO_APPROVED,
                message=domain or "",
            )
        )
        audit.record(
            db,
            "application_auto_approved",
            actor_id=None,
            object_type="application",
            object_id=application.id,
            subject_id=account.id,
            domain=domain,
            reason="verified mail domain",
        )
        mails.application_decided(db, settings, account, application, "approve", "")
    else:
        mails.application_received(db, settings, moderators(db), account, application, municipality)
        mails.application_received(
            db,
            settings,
            local_contacts(db, municipality.id),
            account,
            application,
            municipality,
            name="application_received_contact",
        )
    db.flush()
    return application


def answer_info_request(db: Session, settings: Settings, account: Account, answer: str) -> None:
    """The applicant answers the moderators' question; the application is open again."""
    lock_account(db, account.id)
    application = latest_application(db, account.id, lock=True)
    if application is None:
        raise NotFound
    text = checked_text(
        "answer",
        answer,
        limit=REASON_MAX,
        required=True,
        missing=_("Bitte geben Sie Ihre Antwort an."),
    )
    application.state = _transition(application, "answer")
    account.state = AccountState.PENDING
    db.add(
        ApplicationEvent(
            application_id=application.id,
            actor_id=account.id,
            kind=ApplicationEventKind.INFO_PROVIDED,
            message=text,
        )
    )
    audit.record(
        db,
        "application_info_provided",
        actor_id=account.id,
        object_type="application",
        object_id=application.id,
        subject_id=account.id,
    )
    mails.info_provided(db, settings, moderators(db), account, application)
    db.flush()


# -- the moderators' side --------------------------------------------------------------------


def get_application(db: Session, application_id: int, *, lock: bool = False) -> Application:
    """One application with everything its review page shows."""
    query = (
        select(Application)
        .where(Application.id == application_id)
        .options(
            joinedload(Application.account),
            joinedload(Application.decided_by),
            joinedload(Application.municipality).joinedload(Municipality.land),
            joinedload(Application.municipality).joinedload(Municipality.kreis),
            selectinload(Application.events).joinedload(ApplicationEvent.actor),
        )
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Application)
    application = db.scalars(query).one_or_none()
    if application is None:
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    return application


def decide(
    db: Session,
    settings: Settings,
    moderator: Account,
    application_id: int,
    decision: str,
    reason: str,
    *,
    as_contact: bool = False,
) -> Application:
    """Approve, decline or ask for more information; audited and mailed to the applicant.
    `as_contact`: decided by the municipality's contact person (the caller checked it may),
    recorded as such so the central moderation sees it and can reverse it."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": _("Bitte wählen Sie eine Entscheidung.")})
    text = reason_text(reason, required=decision != "approve")
    applicant_id = db.scalar(select(Application.account_id).where(Application.id == application_id))
    if applicant_id is None:
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    lock_account(db, applicant_id)
    application = get_application(db, application_id, lock=True)
    account = application.account
    if account.id == moderator.id:
        raise Forbidden(_("Über den eigenen Antrag entscheidet jemand anderes."))
    application.state = _transition(application, decision)
    now = utcnow()
    kind = {
        "approve": ApplicationEventKind.APPROVED,
        "decline": ApplicationEventKind.DECLINED,
        "request_info": ApplicationEventKind.INFO_REQUESTED,
    }[decision]
    if as_contact:
        kind = {
            "approve": ApplicationEventKind.CONTACT_APPROVED,
            "decline": ApplicationEventKind.CONTACT_DECLINED,
        }[decision]
    db.add(
        ApplicationEvent(
            application_id=application.id, actor_id=moderator.id, kind=kind, message=text
        )
    )
    if decision == "approve":
        application.decided_at, application.decided_by_id = now, moderator.id
        account.state, account.approved_at, account.state_reason = AccountState.APPROVED, now, None
    elif decision == "decline":
        application.decided_at, application.decided_by_id = now, moderator.id
        account.state, account.state_reason = AccountState.DECLINED, text
        sessions.end_all(db, account.id)
    else:
        account.state = AccountState.NEEDS_INFO
    action = {
        "approve": "application_approved",
        "decline": "application_declined",
        "request_info": "application_info_requested",
    }[decision]
    if as_contact:
        action = {
            "approve": "application_approved_by_contact",
            "decline": "application_declined_by_contact",
        }[decision]
    facts = review_facts(db, application)
    audit.record(
        db,
        action,
        actor_id=moderator.id,
        object_type="application",
        object_id=application.id,
        subject_id=account.id,
        reason=text,
        # What the review page showed when the moderator decided.
        domain=facts.domain,
        domain_verified=facts.domain_verified,
        email_verified=facts.email_verified,
    )
    mails.application_decided(db, settings, account, application, decision, text)
    db.flush()
    return application


def send_reminders(db: Session, settings: Settings) -> int:
    """Remind the moderators once of every application waiting longer than 48 hours."""
    cutoff = utcnow() - REMINDER_AFTER
    waiting = list(
        db.scalars(
            select(Application)
            .where(
                Application.state == ApplicationState.SUBMITTED,
                Application.created_at < cutoff,
                Application.reminded_at.is_(None),
            )
            .options(joinedload(Application.account), joinedload(Application.municipality))
            .with_for_update(skip_locked=True, of=Application)
        ).unique()
    )
    if not waiting:
        return 0
    mails.reminder(db, settings, moderators(db), waiting)
    for application in waiting:
        application.reminded_at = utcnow()
    db.flush()
    return len(waiting)
