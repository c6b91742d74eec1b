"""The mails of the membership workflow (rendered in each receiver's language)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.config import Settings
from app.membership.models import Application, MembershipChange
from app.municipalities.models import Municipality
from app.outbox import mail


def application_received(
    db: Session,
    settings: Settings,
    moderators: Iterable[Account],
    applicant: Account,
    application: Application,
    municipality: Municipality,
    *,
    name: str = "application_received",
) -> None:
    """Tell the moderators (or the municipality's contact persons, with a link to their
    own page of it) that an application arrived."""
    mail.send_each(
        db,
        settings,
        moderators,
        name=name,
        context={"applicant": applicant, "application": application, "municipality": municipality},
    )


def info_provided(
    db: Session,
    settings: Settings,
    moderators: Iterable[Account],
    applicant: Account,
    application: Application,
) -> None:
    """Tell the moderators that an applicant answered their question."""
    mail.send_each(
        db,
        settings,
        moderators,
        name="application_info_provided",
        context={"applicant": applicant, "application": application},
    )


def application_decided(
    db: Session,
    settings: Settings,
    applicant: Account,
    application: Application,
    decision: str,
    reason: str,
) -> None:
    """Tell the applicant what the moderators decided (or asked)."""
    mail.send(
        db,
        settings,
        to=applicant.email,
        locale=applicant.locale,
        name=f"application_{decision}",
        context={"receiver": applicant, "application": application, "reason": reason},
    )


def reminder(
    db: Session,
    settings: Settings,
    moderators: Iterable[Account],
    waiting: Sequence[Application],
) -> None:
    """Remind the moderators of applications waiting longer than 48 hours."""
    mail.send_each(
        db, settings, moderators, name="application_reminder", context={"waiting": waiting}
    )


def account_changed(
    db: Session, settings: Settings, account: Account, change: str, reason: str
) -> None:
    """Tell a member that they were suspended, reinstated or given another role."""
    mail.send(
        db,
        settings,
        to=account.email,
        locale=account.locale,
        name=f"account_{change}",
        context={"receiver": account, "reason": reason},
    )


def change_decided(
    db: Session,
    settings: Settings,
    account: Account,
    change: MembershipChange,
    decision: str,
    reason: str,
) -> None:
    """Tell a member what the moderators decided about their change of municipality or
    position."""
    mail.send(
        db,
        settings,
        to=account.email,
        locale=account.locale,
        name=f"membership_change_{decision}",
        context={"receiver": account, "change": change, "reason": reason},
    )


def municipality_changed(
    db: Session, settings: Settings, account: Account, municipality: Municipality, reason: str
) -> None:
    """Tell a member that a moderator changed their municipality."""
    mail.send(
        db,
        settings,
        to=account.email,
        locale=account.locale,
        name="account_municipality_changed",
        context={"receiver": account, "municipality": municipality, "reason": reason},
    )
