"""Circles (Kreise) and who belongs to them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_


class CircleKind(enum.StrEnum):
    NETWORK = "network"
    WORKING_GROUP = "working_group"
    REGION = "region"

    @property
    def label(self) -> str:
        return CIRCLE_KIND_LABELS[self]


CIRCLE_KIND_LABELS = {
    CircleKind.NETWORK: N_("Netzwerk"),
    CircleKind.WORKING_GROUP: N_("Arbeitsgruppe"),
    CircleKind.REGION: N_("Region"),
}


class CircleRole(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"


CIRCLE_ROLE_LABELS = {
    CircleRole.MEMBER: N_("Mitglied"),
    CircleRole.MODERATOR: N_("Kreismoderation"),
}


class MembershipState(enum.StrEnum):
    """requested (the member asked, a circle moderator decides), invited (a circle
    moderator asked, the invitee decides), active. Declined requests and invitations, and
    leaving, delete the row: the audit log keeps the history."""

    REQUESTED = "requested"
    INVITED = "invited"
    ACTIVE = "active"


class Circle(Base):
    """A closed group: a network, a working group or a region."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[CircleKind] = mapped_column(str_enum(CircleKind, "circle_kind"))
    # Listed: members can find it and ask to join. Unlisted: invitation only, and its name
    # is shown to its members alone.
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    @property
    def kind_label(self) -> str:
        return CIRCLE_KIND_LABELS[self.kind]


class CircleMembership(Base):
    """One account in one circle, with its role and where its membership stands."""

    __tablename__ = "circle_memberships"
    __table_args__ = (
        UniqueConstraint("circle_id", "account_id"),
        # The visibility rule asks "is this account an active member of that circle".
        Index("ix_circle_memberships_account_id_state", "account_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    role: Mapped[CircleRole] = mapped_column(
        str_enum(CircleRole, "circle_role"), default=CircleRole.MEMBER
    )
    state: Mapped[MembershipState] = mapped_column(str_enum(MembershipState, "circle_state"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    circle: Mapped[Circle] = relationship(lazy="raise")
    account: Mapped[Account] = relationship(lazy="raise", foreign_keys=[account_id])

    @property
    def is_active(self) -> bool:
        return self.state is MembershipState.ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.state is MembershipState.ACTIVE and self.role is CircleRole.MODERATOR


class Topic(Base):
    """A discussion in a circle that belongs to no Vorhaben (Thema): visible exactly to
    the circle's active members (app.vorhaben.visibility.topic_visible_clause)."""

    __tablename__ = "topics"
    __table_args__ = (
        Index("ix_topics_circle_id_last_activity_at", "circle_id", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    author: Mapped[Account | None] = relationship(lazy="raise")
