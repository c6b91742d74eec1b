"""A member's notification preferences and fields of interest."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, MailMode
from app.core.errors import ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.notifications.models import (
    MUNICIPALITY_COMMENTS_DEFAULT,
    MUNICIPALITY_SIGNALS_DEFAULT,
    NotificationSettings,
)
from app.vorhaben.models import FieldOfAction, Interest


def interests_of(db: Session, account_id: int) -> set[int]:
    return set(db.scalars(select(Interest.field_id).where(Interest.account_id == account_id)))


def settings_of(db: Session, account_id: int) -> NotificationSettings:
    """The member's notification settings (the defaults, unsaved, if they chose none)."""
    found = db.get(NotificationSettings, account_id)
    if found is not None:
        return found
    return NotificationSettings(
        account_id=account_id,
        municipality_signals=MUNICIPALITY_SIGNALS_DEFAULT,
        municipality_comments=MUNICIPALITY_COMMENTS_DEFAULT,
    )


def save(
    db: Session,
    account: Account,
    mail_mode: str,
    interests: list[str],
    *,
    municipality_signals: bool = MUNICIPALITY_SIGNALS_DEFAULT,
    municipality_comments: bool = MUNICIPALITY_COMMENTS_DEFAULT,
) -> None:
    """Store how the member wants mails, what they hear of on their municipality's
    Vorhaben, and which fields of action they care about."""
    if mail_mode not in {mode.value for mode in MailMode}:
        raise ValidationFailed({"mail_mode": _("Bitte wählen Sie, wie Sie E-Mails erhalten.")})
    known = set(db.scalars(select(FieldOfAction.id).where(FieldOfAction.active.is_(True))))
    chosen = {fid for value in interests if (fid := parse_id(value)) in known}
    account.mail_mode = MailMode(mail_mode)
    stored = db.get(NotificationSettings, account.id)
    if stored is None:
        stored = NotificationSettings(account_id=account.id)
        db.add(stored)
    stored.municipality_signals = municipality_signals
    stored.municipality_comments = municipality_comments
    db.execute(delete(Interest).where(Interest.account_id == account.id))
    db.add_all(Interest(account_id=account.id, field_id=field_id) for field_id in chosen)
    db.flush()
