"""Managing members: suspension, reinstatement, roles, and the member directory."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState, Role, shown_name
from app.audit import service as audit
from app.auth import sessions
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.core.fields import reason_text
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.membership import mails
from app.municipalities.models import Municipality


def get(db: Session, account_id: int) -> Account:
    """An account with its municipality."""
    account = db.scalars(
        select(Account)
        .where(Account.id == account_id)
        .options(joinedload(Account.municipality).joinedload(Municipality.land))
    ).one_or_none()
    if account is None or account.state is AccountState.ERASED:
        raise NotFound(_("Dieses Konto gibt es nicht."))
    return account


def directory(db: Session, *, query: str = "", state: str = "", limit: int = 200) -> list[Account]:
    """Accounts for the moderators' member list, filtered by name, mail and state."""
    statement = (
        select(Account)
        .where(Account.state != AccountState.ERASED)
        .options(joinedload(Account.municipality))
        .order_by(Account.display_name)
        .limit(limit)
    )
    if state in {value.value for value in AccountState}:
        statement = statement.where(Account.state == AccountState(state))
    if query.strip():
        pattern = query.strip()
        statement = statement.where(
            or_(
                Account.display_name.icontains(pattern, autoescape=True),
                Account.email.icontains(pattern, autoescape=True),
            )
        )
    return list(db.scalars(statement).unique())


def may_moderate(actor: Account, target: Account) -> None:
    if actor.id == target.id:
        raise Forbidden(_("Das eigene Konto können Sie hier nicht ändern."))
    if target.role is not Role.MEMBER and not actor.is_admin:
        raise Forbidden(_("Konten der Moderation und Verwaltung ändert nur die Verwaltung."))


def suspend(
    db: Session, settings: Settings, actor: Account, account_id: int, reason: str
) -> Account:
    """Suspend a member: all sessions end at once; audited and mailed."""
    text = reason_text(reason)
    account = get(db, account_id)
    may_moderate(actor, account)
    if account.state is not AccountState.APPROVED:
        raise InvalidTransition(_("Nur freigeschaltete Mitglieder können gesperrt werden."))
    account.state = AccountState.SUSPENDED
    account.state_reason = text
    ended = sessions.end_all(db, account.id)
    audit.record(
        db,
        "account_suspended",
        actor_id=actor.id,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason=text,
        sessions_ended=ended,
    )
    mails.account_changed(db, settings, account, "suspended", text)
    db.flush()
    return account


def reinstate(
    db: Session, settings: Settings, actor: Account, account_id: int, reason: str
) -> Account:
    """Lift a suspension."""
    text = reason_text(reason)
    account = get(db, account_id)
    may_moderate(actor, account)
    if account.state is not AccountState.SUSPENDED:
        raise InvalidTransition(_("Dieses Konto ist nicht gesperrt."))
    account.state = AccountState.APPROVED
    account.state_reason = None
    audit.record(
        db,
        "account_reinstated",
        actor_id=actor.id,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason=text,
    )
    mails.account_changed(db, settings, account, "reinstated", text)
    db.flush()
    return account


def set_role(
    db: Session, settings: Settings, actor: Account, account_id: int, role: str, reason: str = ""
) -> Account:
    """Grant or revoke moderator (or admin) rights; only admins, never on themselves."""
    if not actor.is_admin:
        raise Forbidden(_("Rollen vergibt nur die Verwaltung."))
    if role not in {value.value for value in Role}:
        raise ValidationFailed({"role": _("Bitte wählen Sie eine Rolle.")})
    account = get(db, account_id)
    if account.id == actor.id:
        raise Forbidden(_("Die eigene Rolle kann nur eine andere Person der Verwaltung ändern."))
    if account.state is not AccountState.APPROVED:
        raise InvalidTransition(_("Rollen gibt es nur für freigeschaltete Mitglieder."))
    previous = account.role
    if previous.value == role:
        return account
    account.role = Role(role)
    audit.record(
        db,
        "role_changed",
        actor_id=actor.id,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason=reason or None,
        previous=previous.value,
        role=role,
    )
    mails.account_changed(db, settings, account, "role_changed", account.role_label)
    db.flush()
    return account


def promote(db: Session, email_or_id: str, role: str, *, force: bool = False) -> Account:
    """Bootstrap from the CLI: approve an account and give it a role (audited as system).

    By e-mail, the address must match exactly (case aside) and be verified by the
    identity provider: anyone can sign in with a provider that reports an address it
    never checked. An id, or `force`, is the operator's explicit choice.
    """
    if role not in {value.value for value in Role}:
        raise ValidationFailed({"role": f"unknown role {role!r} (member, moderator, admin)"})
    statement = select(Account).where(Account.state != AccountState.ERASED)
    by_email = (account_id := parse_id(email_or_id)) is None
    if not by_email:
        candidates = list(db.scalars(statement.where(Account.id == account_id)))
    else:
        address = email_or_id.strip().lower()
        candidates = list(db.scalars(statement.where(func.lower(Account.email) == address)))
    if not candidates:
        raise NotFound(f"no account with e-mail or id {email_or_id!r}; sign in once first")
    if len(candidates) > 1:
        raise ValidationFailed(
            {
                "account": "several accounts share this e-mail; use the id: "
                + ", ".join(str(account.id) for account in candidates)
            }
        )
    if by_email and not candidates[0].email_verified and not force:
        found = candidates[0]
        raise ValidationFailed(
            {
                "account": f"the identity provider did not verify the e-mail of account "
                f"{found.id} ({found.display_name}); if it is the right person, promote it "
                f"by id or add --force"
            }
        )
    account = candidates[0]
    previous_state, previous_role = account.state, account.role
    account.role = Role(role)
    if account.state is not AccountState.APPROVED:
        account.state = AccountState.APPROVED
        account.approved_at = utcnow()
        account.state_reason = None
    audit.record(
        db,
        "account_promoted",
        actor_id=None,
        object_type="account",
        object_id=account.id,
        subject_id=account.id,
        reason="allmende members promote",
        email_verified=account.email_verified,
        forced=force,
        previous_state=previous_state.value,
        previous_role=previous_role.value,
        role=role,
    )
    db.flush()
    return account


def names(db: Session, ids: set[int]) -> dict[int, str]:
    """Display names for a set of account ids (erased accounts say so)."""
    if not ids:
        return {}
    rows = db.execute(
        select(Account.id, Account.display_name, Account.state).where(Account.id.in_(ids))
    )
    return {row.id: shown_name(row.display_name, row.state) for row in rows}
