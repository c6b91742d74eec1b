"""Accounts keyed by SSO identity: the person, its role and state, its identities."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_, gettext
from app.municipalities.models import Municipality


class AccountState(enum.StrEnum):
    PENDING = "pending"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"
    ERASED = "erased"


# What an erased member's contributions are attributed to: stored as the erased account's
# display name, shown translated.
FORMER_MEMBER = N_("Ehemaliges Mitglied")


def shown_name(display_name: str | None, state: AccountState | None) -> str:
    """A member's name as pages and mails show it: an erased (or unknown) author is
    "Ehemaliges Mitglied" in the reader's language."""
    if not display_name or state is AccountState.ERASED:
        return gettext(FORMER_MEMBER)
    return display_name


ACCOUNT_STATE_LABELS = {
    AccountState.PENDING: N_("Antrag in Prüfung"),
    AccountState.NEEDS_INFO: N_("Rückfrage der Moderation"),
    AccountState.APPROVED: N_("Freigeschaltet"),
    AccountState.DECLINED: N_("Abgelehnt"),
    AccountState.SUSPENDED: N_("Gesperrt"),
    AccountState.ERASED: N_("Gelöscht"),
}


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.MEMBER: N_("Mitglied"),
    Role.MODERATOR: N_("Moderation"),
    Role.ADMIN: N_("Verwaltung"),
}


class MailMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class Account(Base):
    """A person in Allmende. Never looked up by e-mail: identities key it."""

    __tablename__ = "accounts"
    __table_args__ = (Index("ix_accounts_state_role", "state", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[str | None] = mapped_column(String(200))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "account_role"), default=Role.MEMBER)
    state: Mapped[AccountState] = mapped_column(
        str_enum(AccountState, "account_state"), default=AccountState.PENDING
    )
    # The reason last given for a decline or suspension, shown to the person.
    state_reason: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    mail_mode: Mapped[MailMode] = mapped_column(
        str_enum(MailMode, "mail_mode"), default=MailMode.IMMEDIATE
    )
    # Named by a moderator as the contact person ("Ansprechperson") of their municipality:
    # may confirm or decline the applications from it. Ends with a change of municipality.
    local_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]

    municipality: Mapped[Municipality | None] = relationship(lazy="raise")

    @property
    def is_member(self) -> bool:
        return self.state is AccountState.APPROVED

    @property
    def is_moderator(self) -> bool:
        return self.is_member and self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_local_contact(self) -> bool:
        return self.is_member and self.local_contact and self.municipality_id is not None

    @property
    def is_admin(self) -> bool:
        return self.is_member and self.role is Role.ADMIN

    @property
    def state_label(self) -> str:
        return ACCOUNT_STATE_LABELS[self.state]

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def mail_domain(self) -> str | None:
        if not self.email or "@" not in self.email:
            return None
        return self.email.rsplit("@", 1)[1].lower()

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.state.value} {self.role.value}>"


class Identity(Base):
    """An SSO identity, (issuer, subject), linked to exactly one account."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The claims of the last sign-in, shown to moderators when they review an application.
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(lazy="raise")
