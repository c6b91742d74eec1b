"""Local contact persons ("Ansprechpersonen"): a moderator names an approved member the
contact of their municipality; a contact confirms or declines the applications from that
municipality (and no other), which takes load off the central moderation. The moderators
see each such decision and can reverse it (reopen the application)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.config import Settings
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.fields import reason_text
from app.i18n import gettext as _
from app.membership import accounts, mails, service
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationState,
)
from app.municipalities.models import Municipality

CONTACT_DECISIONS = ("approve", "decline")
CONTACT_KINDS = (ApplicationEventKind.CONTACT_APPROVED, ApplicationEventKind.CONTACT_DECLINED)


def name(
    db: Session, settings: Settings, moderator: Account, account_id: int, reason: str
) -> Account:
    """Name an approved member the contact person of their municipality."""
    text = reason_text(reason, required=False)
    account = service.lock_account(db, account_id)
    if account.state is AccountState.ERASED:
        raise NotFound(_("Dieses Konto gibt es nicht."))
    accounts.may_moderate(moderator, account)
    if account.state is not AccountState.APPROVED or account.municipality_id is None:
        raise InvalidTransition(
            _("Ansprechperson kann nur ein freigeschaltetes Mitglied einer Kommune sein.")
        )
    return _set_contact(db, settings, moderator, account, text, named=True)


def revoke(
    db: Session, settings: Settings, moderator: Account, account_id: int, reason: str
) -> Account:
    """End a member's role as contact person."""
    text = reason_text(reason, required=False)
    account = service.lock_account(db, account_id)
    if account.state is AccountState.ERASED:
        raise NotFound(_("Dieses Konto gibt es nicht."))
    accounts.may_moderate(moderator, account)
    return _set_contact(db, settings, moderator, account, text, named=False)


def _set_contact(
    db: Session, settings: Settings, moderator: Account, account: Account, text: str, *, named: bool
) -> Account:
    """Name or revoke: the flag, its audit event and the member's mail (nothing if it is
    already so)."""
    if account.local_contact == named:
        return account
    account.local_contact = named
    audit.record(
        db,
        "local_contact_named" if named else "local_contact_revoked",
        actor_id=moderator.id,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason=text,
        municipality_id=account.municipality_id,
    )
    mails.account_changed(
        db, settings, account, "contact_named" if named else "contact_revoked", text
    )
    db.flush()
    return account


def all_contacts(db: Session) -> list[Account]:
    """Every named contact person, by municipality."""
    return list(
        db.scalars(
            select(Account)
            .join(Municipality, Municipality.id == Account.municipality_id)
            .where(Account.local_contact.is_(True), Account.state != AccountState.ERASED)
            .options(joinedload(Account.municipality))
            .order_by(Municipality.name, Account.display_name)
        ).unique()
    )


def contact_decisions(db: Session, *, limit: int = 100) -> list[ApplicationEvent]:
    """The decisions contact persons made, newest first, for the central moderation."""
    return list(
        db.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.kind.in_(CONTACT_KINDS))
            .options(
                joinedload(ApplicationEvent.actor),
                joinedload(ApplicationEvent.application).joinedload(Application.account),
                joinedload(ApplicationEvent.application).joinedload(Application.municipality),
            )
            .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
            .limit(limit)
        ).unique()
    )


# -- the contact's side ----------------------------------------------------------------------


def queue(db: Session, contact: Account) -> list[Application]:
    """The open applications from the contact's own municipality, oldest first."""
    return list(
        db.scalars(
            select(Application)
            .where(
                Application.municipality_id == contact.municipality_id,
                Application.state.in_((ApplicationState.SUBMITTED, ApplicationState.NEEDS_INFO)),
                Application.account_id != contact.id,
            )
            .options(joinedload(Application.account), joinedload(Application.municipality))
            .order_by(Application.created_at, Application.id)
        ).unique()
    )


def get_for(db: Session, contact: Account, application_id: int) -> Application:
    """An application from the contact's own municipality (404 for any other: a contact
    does not learn that applications elsewhere exist)."""
    try:
        application = service.get_application(db, application_id)
    except NotFound:
        application = None
    if (
        application is None
        or contact.municipality_id is None
        or application.municipality_id != contact.municipality_id
        or application.account_id == contact.id
    ):
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    return application


def decide(
    db: Session,
    settings: Settings,
    contact: Account,
    application_id: int,
    decision: str,
    reason: str,
) -> Application:
    """A contact person confirms or declines an application from their municipality."""
    if not contact.is_local_contact:
        raise Forbidden(_("Dieser Bereich ist den Ansprechpersonen der Kommunen vorbehalten."))
    get_for(db, contact, application_id)
    if decision not in CONTACT_DECISIONS:
        raise ValidationFailed({"decision": _("Bitte wählen Sie eine Entscheidung.")})
    return service.decide(db, settings, contact, application_id, decision, reason, as_contact=True)


# -- the central moderation reverses ---------------------------------------------------------


def reopen(
    db: Session, settings: Settings, moderator: Account, application_id: int, reason: str
) -> Application:
    """Open a decided application again (an approval or a decline, a contact's or not): the
    account is an applicant again until the moderation decides anew."""
    text = reason_text(reason)
    applicant_id = db.scalar(select(Application.account_id).where(Application.id == application_id))
    if applicant_id is None:
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    account = service.lock_account(db, applicant_id)
    application = service.get_application(db, application_id, lock=True)
    accounts.may_moderate(moderator, account)
    latest = service.latest_application(db, account.id)
    expected = {
        ApplicationState.APPROVED: AccountState.APPROVED,
        ApplicationState.DECLINED: AccountState.DECLINED,
    }.get(application.state)
    if latest is None or latest.id != application.id or account.state is not expected:
        raise InvalidTransition(_("Dieser Antrag kann nicht wieder geöffnet werden."))
    previous = application.state
    application.state = service.TRANSITIONS[(application.state, "reopen")]
    application.decided_at = application.decided_by_id = None
    account.state, account.state_reason = AccountState.PENDING, None
    account.local_contact = False
    db.add(
        ApplicationEvent(
            application_id=application.id,
            actor_id=moderator.id,
            kind=ApplicationEventKind.REOPENED,
            message=text,
        )
    )
    audit.record(
        db,
        "application_reopened",
        actor_id=moderator.id,
        object_type="application",
        object_id=application.id,
        subject_id=account.id,
        reason=text,
        previous_state=previous.value,
    )
    mails.application_decided(db, settings, account, application, "reopen", text)
    db.flush()
    return application
