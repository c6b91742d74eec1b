"""Membership applications, their decisions, and verified mail domains."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_
from app.municipalities.models import Municipality


class ApplicationState(enum.StrEnum):
    SUBMITTED = "submitted"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    DECLINED = "declined"


APPLICATION_STATE_LABELS = {
    ApplicationState.SUBMITTED: N_("Eingereicht"),
    ApplicationState.NEEDS_INFO: N_("Rückfrage"),
    ApplicationState.APPROVED: N_("Freigeschaltet"),
    ApplicationState.DECLINED: N_("Abgelehnt"),
}


class Application(Base):
    """A membership application: who, for which municipality, why, and its decisions."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    position: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ApplicationState] = mapped_column(
        str_enum(ApplicationState, "application_state"), default=ApplicationState.SUBMITTED
    )
    email_domain: Mapped[str | None] = mapped_column(String(253))
    domain_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the identity provider said about the applicant at submission time.
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[dt.datetime | None]

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="raise")
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    municipality: Mapped[Municipality] = relationship(lazy="raise")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", lazy="raise", order_by="ApplicationEvent.id"
    )

    @property
    def state_label(self) -> str:
        return APPLICATION_STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in (ApplicationState.SUBMITTED, ApplicationState.NEEDS_INFO)


class ApplicationEventKind(enum.StrEnum):
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    INFO_PROVIDED = "info_provided"
    APPROVED = "approved"
    AUTO_APPROVED = "auto_approved"
    DECLINED = "declined"
    CONTACT_APPROVED = "contact_approved"
    CONTACT_DECLINED = "contact_declined"
    REOPENED = "reopened"


EVENT_LABELS = {
    ApplicationEventKind.SUBMITTED: N_("Antrag eingereicht"),
    ApplicationEventKind.INFO_REQUESTED: N_("Rückfrage der Moderation"),
    ApplicationEventKind.INFO_PROVIDED: N_("Antwort auf die Rückfrage"),
    ApplicationEventKind.APPROVED: N_("Freigeschaltet"),
    ApplicationEventKind.AUTO_APPROVED: N_("Automatisch freigeschaltet (bestätigte E-Mail-Domain)"),
    ApplicationEventKind.DECLINED: N_("Abgelehnt"),
    ApplicationEventKind.CONTACT_APPROVED: N_("Von der Ansprechperson der Kommune bestätigt"),
    ApplicationEventKind.CONTACT_DECLINED: N_("Von der Ansprechperson der Kommune abgelehnt"),
    ApplicationEventKind.REOPENED: N_("Von der Moderation wieder geöffnet"),
}


class ApplicationEvent(Base):
    """The state history of an application, with the messages exchanged."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    kind: Mapped[ApplicationEventKind] = mapped_column(
        str_enum(ApplicationEventKind, "application_event_kind")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="events", lazy="raise")
    actor: Mapped[Account | None] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return EVENT_LABELS[self.kind]


class MunicipalityDomain(Base):
    """A mail domain a moderator verified as belonging to a municipality."""

    __tablename__ = "municipality_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(lazy="raise")


class ChangeState(enum.StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


CHANGE_STATE_LABELS = {
    ChangeState.OPEN: N_("Offen"),
    ChangeState.APPROVED: N_("Angenommen"),
    ChangeState.DECLINED: N_("Abgelehnt"),
    ChangeState.WITHDRAWN: N_("Zurückgezogen"),
}


class MembershipChange(Base):
    """A member's request to change municipality and/or position ("people change jobs"):
    what they had, what they ask for, and the moderators' decision."""

    __tablename__ = "membership_changes"
    __table_args__ = (Index("ix_membership_changes_state_created_at", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    from_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    to_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    from_position: Mapped[str | None] = mapped_column(String(200))
    # None: the position stays as it is.
    to_position: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ChangeState] = mapped_column(
        str_enum(ChangeState, "membership_change_state"), default=ChangeState.OPEN
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="raise")
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")
    from_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[from_municipality_id], lazy="raise"
    )
    to_municipality: Mapped[Municipality | None] = relationship(
        foreign_keys=[to_municipality_id], lazy="raise"
    )

    @property
    def state_label(self) -> str:
        return CHANGE_STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state is ChangeState.OPEN
