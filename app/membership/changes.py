"""People change jobs: a member asks to change municipality and/or position, a moderator
decides (or changes a member's municipality directly). From the decision on the member reads
as a member of the new municipality: visibility reads Account.municipality_id on every
request and every mail delivery, so the old municipality's restricted content is gone for
them at once. Their Vorhaben stay with the old municipality (app.vorhaben.handover)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.fields import REASON_MAX, check_text, reason_text
from app.i18n import gettext as _
from app.membership import accounts, mails
from app.membership.models import ChangeState, MembershipChange
from app.membership.service import POSITION_MAX, lock_account
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality

DECISIONS = ("approve", "decline")


@dataclass
class ChangeForm:
    municipality_ags: str = ""
    position: str = ""
    reason: str = ""


def _options() -> list[Any]:
    return [
        joinedload(MembershipChange.account),
        joinedload(MembershipChange.decided_by),
        joinedload(MembershipChange.from_municipality),
        joinedload(MembershipChange.to_municipality),
    ]


def open_change(db: Session, account_id: int) -> MembershipChange | None:
    """The account's open request, if any."""
    return db.scalars(
        select(MembershipChange)
        .where(
            MembershipChange.account_id == account_id,
            MembershipChange.state == ChangeState.OPEN,
        )
        .options(*_options())
        .order_by(MembershipChange.id.desc())
        .limit(1)
    ).first()


def get_change(db: Session, change_id: int, *, lock: bool = False) -> MembershipChange:
    """One request with the people and municipalities its page shows."""
    query = (
        select(MembershipChange)
        .where(MembershipChange.id == change_id)
        .options(*_options())
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=MembershipChange)
    change = db.scalars(query).unique().one_or_none()
    if change is None:
        raise NotFound(_("Diese Änderung gibt es nicht."))
    return change


def queue(db: Session, state: str = "open", *, limit: int = 200) -> list[MembershipChange]:
    """Requests for the moderators: the open ones oldest first, decided ones newest first."""
    query = select(MembershipChange).options(*_options()).limit(limit)
    if state in {value.value for value in ChangeState}:
        query = query.where(MembershipChange.state == ChangeState(state))
    if state == ChangeState.OPEN.value:
        query = query.order_by(MembershipChange.created_at, MembershipChange.id)
    else:
        query = query.order_by(MembershipChange.created_at.desc(), MembershipChange.id.desc())
    return list(db.scalars(query).unique())


def _municipality(db: Session, errors: dict[str, str], ags: str) -> Municipality | None:
    found = municipalities.get_by_ags(db, ags.strip())
    if found is None or not municipalities.is_selectable(found):
        errors["municipality_ags"] = _("Diese Kommune gibt es im Verzeichnis nicht.")
        return None
    return found


def request_change(db: Session, account: Account, form: ChangeForm) -> MembershipChange:
    """A member asks to change municipality and/or position; one open request at a time."""
    lock_account(db, account.id)
    if open_change(db, account.id) is not None:
        raise InvalidTransition(_("Sie haben bereits eine offene Änderung beantragt."))
    errors: dict[str, str] = {}
    ags = form.municipality_ags.strip()
    target = _municipality(db, errors, ags) if ags else None
    if target is not None and target.id == account.municipality_id:
        target = None  # the same municipality: only the position changes
    position = check_text(errors, "position", form.position, limit=POSITION_MAX)
    reason = check_text(errors, "reason", form.reason, limit=REASON_MAX)
    new_position = position if position and position != (account.position or "") else None
    if not errors and target is None and new_position is None:
        errors["municipality_ags"] = _(
            "Bitte wählen Sie eine andere Kommune oder geben Sie eine neue Funktion an."
        )
    if errors:
        raise ValidationFailed(errors)
    change = MembershipChange(
        account_id=account.id,
        from_municipality_id=account.municipality_id,
        to_municipality_id=target.id if target else None,
        from_position=account.position,
        to_position=new_position,
        reason=reason,
    )
    db.add(change)
    db.flush()
    audit.record(
        db,
        "membership_change_requested",
        actor_id=account.id,
        object_type="membership_change",
        object_id=change.id,
        subject_id=account.id,
        reason=reason,
        municipality=target.ags if target else None,
        position=new_position,
    )
    return change


def withdraw(db: Session, account: Account) -> MembershipChange:
    """The member withdraws their open request."""
    lock_account(db, account.id)
    change = open_change(db, account.id)
    if change is None:
        raise InvalidTransition(_("Es gibt keine offene Änderung."))
    change.state = ChangeState.WITHDRAWN
    change.decided_at = utcnow()
    audit.record(
        db,
        "membership_change_withdrawn",
        actor_id=account.id,
        object_type="membership_change",
        object_id=change.id,
        subject_id=account.id,
    )
    db.flush()
    return change


def _move(
    db: Session,
    actor: Account,
    account: Account,
    municipality_id: int | None,
    position: str | None,
) -> None:
    """Apply a change of municipality and/or position; a contact person's naming ends with
    the municipality it was for."""
    if municipality_id is not None and municipality_id != account.municipality_id:
        if account.local_contact:
            account.local_contact = False
            audit.record(
                db,
                "local_contact_revoked",
                actor_id=actor.id,
                object_type="account",
                object_id=account.id,
                subject_id=account.id,
                cause="municipality_changed",
            )
        account.municipality_id = municipality_id
    if position is not None:
        account.position = position


def decide(
    db: Session,
    settings: Settings,
    moderator: Account,
    change_id: int,
    decision: str,
    reason: str,
) -> MembershipChange:
    """Approve or decline a request (a reason is needed to decline); audited and mailed."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": _("Bitte wählen Sie eine Entscheidung.")})
    text = reason_text(reason, required=decision == "decline")
    account_id = db.scalar(
        select(MembershipChange.account_id).where(MembershipChange.id == change_id)
    )
    if account_id is None:
        raise NotFound(_("Diese Änderung gibt es nicht."))
    account = lock_account(db, account_id)
    change = get_change(db, change_id, lock=True)
    if account.id == moderator.id:
        raise Forbidden(_("Über die eigene Änderung entscheidet jemand anderes."))
    if not change.is_open:
        raise InvalidTransition(_("Über diese Änderung wurde bereits entschieden."))
    if decision == "approve" and account.state is not AccountState.APPROVED:
        raise InvalidTransition(_("Nur für freigeschaltete Mitglieder möglich."))
    change.state = ChangeState.APPROVED if decision == "approve" else ChangeState.DECLINED
    change.decided_at, change.decided_by_id, change.decision_reason = utcnow(), moderator.id, text
    if decision == "approve":
        _move(db, moderator, account, change.to_municipality_id, change.to_position)
    audit.record(
        db,
        "membership_change_approved" if decision == "approve" else "membership_change_declined",
        actor_id=moderator.id,
        object_type="membership_change",
        object_id=change.id,
        subject_id=account.id,
        reason=text,
        before=_where(change.from_municipality, change.from_position),
        after=_where(change.to_municipality or change.from_municipality, change.to_position),
    )
    mails.change_decided(db, settings, account, change, decision, text)
    db.flush()
    return change


def _where(municipality: Municipality | None, position: str | None) -> str:
    name = f"{municipality.name} ({municipality.ags})" if municipality else "–"
    return f"{name}, {position}" if position else name


def change_directly(
    db: Session,
    settings: Settings,
    moderator: Account,
    account_id: int,
    municipality_ags: str,
    position: str,
    reason: str,
) -> Account:
    """A moderator moves a member to another municipality (and position), with a reason."""
    errors: dict[str, str] = {}
    target = None
    if not municipality_ags.strip():
        errors["municipality_ags"] = _("Bitte wählen Sie die neue Kommune aus.")
    else:
        target = _municipality(db, errors, municipality_ags)
    new_position = check_text(errors, "position", position, limit=POSITION_MAX)
    text = check_text(
        errors,
        "reason",
        reason,
        limit=REASON_MAX,
        required=True,
        missing=_("Bitte geben Sie eine Begründung an."),
    )
    if (
        not errors
        and target is not None
        and target.id == accounts.get(db, account_id).municipality_id
    ):
        errors["municipality_ags"] = _("Das ist schon die Kommune dieses Mitglieds.")
    if errors or target is None:
        raise ValidationFailed(errors)
    account = lock_account(db, account_id)
    accounts.may_moderate(moderator, account)
    if account.state not in (AccountState.APPROVED, AccountState.SUSPENDED):
        raise InvalidTransition(_("Nur für freigeschaltete oder gesperrte Mitglieder möglich."))
    before = _where(db.get(Municipality, account.municipality_id or 0), account.position)
    _move(db, moderator, account, target.id, new_position or None)
    audit.record(
        db,
        "account_municipality_changed",
        actor_id=moderator.id,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason=text,
        before=before,
        after=_where(target, account.position),
    )
    mails.municipality_changed(db, settings, account, target, text)
    db.flush()
    return account
