"""Mails about a circle membership: an invitation to the invitee, a request to join to the
circle's moderators. They name the circle only to those who may know it, and the outbox's
mail check still asks, when one leaves, whether its receiver is an approved member."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, MailMode
from app.circles.models import Circle, CircleMembership, CircleRole, MembershipState
from app.config import Settings
from app.outbox import mail


def _wants_mail(account: Account) -> bool:
    return account.state is AccountState.APPROVED and account.mail_mode is not MailMode.OFF


def invited(
    db: Session, settings: Settings, circle: Circle, inviter: Account, invitee_id: int
) -> None:
    """Tell the invitee (unless they switched mails off)."""
    invitee = db.get(Account, invitee_id)
    if invitee is None or not _wants_mail(invitee):
        return
    mail.send_each(
        db,
        settings,
        [invitee],
        name="circle_invitation",
        context={
            "circle_name": circle.name,
            "circle_id": circle.id,
            "inviter": inviter.display_name,
        },
        about=mail.About(),
    )


def requested(db: Session, settings: Settings, circle: Circle, asker: Account) -> None:
    """Tell the circle's moderators that a member asks to join."""
    moderators = db.scalars(
        select(Account)
        .join(CircleMembership, CircleMembership.account_id == Account.id)
        .where(
            CircleMembership.circle_id == circle.id,
            CircleMembership.role == CircleRole.MODERATOR,
            CircleMembership.state == MembershipState.ACTIVE,
        )
    )
    mail.send_each(
        db,
        settings,
        [moderator for moderator in moderators if _wants_mail(moderator)],
        name="circle_request",
        context={"circle_name": circle.name, "circle_id": circle.id, "asker": asker.display_name},
        about=mail.About(),
    )
