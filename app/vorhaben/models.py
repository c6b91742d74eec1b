"""Vorhaben (ideas and projects), their fields of action, versions, stages, signals, follows."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_
from app.municipalities.models import Municipality


class Stage(enum.StrEnum):
    IDEE = "idee"
    KONZEPT = "konzept"
    PILOT = "pilot"
    UMSETZUNG = "umsetzung"
    BETRIEB = "betrieb"
    ABGESCHLOSSEN = "abgeschlossen"
    EINGESTELLT = "eingestellt"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (Stage.ABGESCHLOSSEN, Stage.EINGESTELLT)


STAGE_LABELS = {
    Stage.IDEE: N_("Idee"),
    Stage.KONZEPT: N_("Konzept"),
    Stage.PILOT: N_("Pilot"),
    Stage.UMSETZUNG: N_("Umsetzung"),
    Stage.BETRIEB: N_("Betrieb"),
    Stage.ABGESCHLOSSEN: N_("Abgeschlossen"),
    Stage.EINGESTELLT: N_("Eingestellt"),
}


class Visibility(enum.StrEnum):
    MEMBERS = "members"
    MUNICIPALITY = "municipality"
    # Its municipality and its named partner municipalities (vorhaben_partners).
    PARTNERS = "partners"
    # The active members of one circle (Vorhaben.circle_id).
    CIRCLE = "circle"


VISIBILITY_LABELS = {
    Visibility.MEMBERS: N_("Alle Mitglieder"),
    Visibility.MUNICIPALITY: N_("Nur meine Kommune"),
    Visibility.PARTNERS: N_("Meine Kommune und die Partnerkommunen"),
    Visibility.CIRCLE: N_("Ein Kreis"),
}
# The same choices as an organisation's members read them (app.municipalities organisations).
ORGANISATION_VISIBILITY_LABELS = {
    Visibility.MUNICIPALITY: N_("Nur meine Organisation"),
    Visibility.PARTNERS: N_("Meine Organisation und die Partnerkommunen"),
}


class AIUse(enum.StrEnum):
    NONE = "none"
    RULE_BASED = "rule_based"
    WEAK_AI = "weak_ai"
    OTHER = "other"


AI_LABELS = {
    AIUse.NONE: N_("Keine KI"),
    AIUse.RULE_BASED: N_("Regelbasiert"),
    AIUse.WEAK_AI: N_("Schwache KI (Bild-, Text- oder Spracherkennung)"),
    AIUse.OTHER: N_("Andere KI"),
}


class FieldOfAction(Base):
    """A Handlungsfeld of the taxonomy (seeded, admin-editable)."""

    __tablename__ = "fields_of_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class _Tagged(Protocol):
    @property
    def tag(self) -> str: ...


class _Shown(Protocol):
    """What the shared words of a Vorhaben are computed from."""

    @property
    def stage(self) -> Stage: ...

    @property
    def hidden_at(self) -> dt.datetime | None: ...

    @property
    def locked_at(self) -> dt.datetime | None: ...

    @property
    def uses_ai(self) -> AIUse: ...

    @property
    def tags(self) -> Sequence[_Tagged]: ...


class ShownVorhaben:
    """The words and states pages show of a Vorhaben, the same for the ORM entity and the
    page's plain rows (app.vorhaben.page.VorhabenPage)."""

    __slots__ = ()

    @property
    def stage_label(self: _Shown) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def is_hidden(self: _Shown) -> bool:
        return self.hidden_at is not None

    @property
    def is_locked(self: _Shown) -> bool:
        return self.locked_at is not None

    @property
    def ai_label(self: _Shown) -> str:
        return AI_LABELS[self.uses_ai]

    @property
    def tag_names(self: _Shown) -> list[str]:
        return [tag.tag for tag in self.tags]

    @property
    def uses_any_ai(self: _Shown) -> bool:
        return self.uses_ai is not AIUse.NONE


class Vorhaben(ShownVorhaben, Base):
    """An idea or project of a municipality, from a vague idea to a finished (or failed) one."""

    __tablename__ = "vorhaben"
    __table_args__ = (
        Index("ix_vorhaben_last_activity_at_id", "last_activity_at", "id"),
        Index("ix_vorhaben_created_at_id", "created_at", "id"),
        Index("ix_vorhaben_municipality_id_visibility", "municipality_id", "visibility"),
        # The list filtered by stage walks these in its order (migration 0034).
        Index("ix_vorhaben_stage_last_activity_at_id", "stage", "last_activity_at", "id"),
        Index("ix_vorhaben_stage_created_at_id", "stage", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(str_enum(Stage, "vorhaben_stage"))
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "vorhaben_visibility"), default=Visibility.MEMBERS
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    # The circle it is shared with when visibility is "circle" (else NULL).
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    looking_for_partners: Mapped[bool] = mapped_column(Boolean, default=False)
    uses_ai: Mapped[AIUse] = mapped_column(str_enum(AIUse, "vorhaben_ai"), default=AIUse.NONE)
    open_source: Mapped[bool] = mapped_column(Boolean, default=False)
    license: Mapped[str | None] = mapped_column(String(100))
    repository_url: Mapped[str | None] = mapped_column(String(500))
    website_url: Mapped[str | None] = mapped_column(String(500))
    funding_programme: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    lessons_learned_html: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Content moderation: hidden from everyone but the author, with the reason shown to them.
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[dt.datetime | None]
    locked_at: Mapped[dt.datetime | None]

    municipality: Mapped[Municipality] = relationship(lazy="raise")
    author: Mapped[Account | None] = relationship(lazy="raise")
    fields: Mapped[list[FieldOfAction]] = relationship(
        secondary="vorhaben_fields", lazy="raise", order_by="FieldOfAction.position"
    )
    tags: Mapped[list[VorhabenTag]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="VorhabenTag.tag"
    )
    partners: Mapped[list[Municipality]] = relationship(
        secondary="vorhaben_partners", lazy="raise", order_by="Municipality.name"
    )
    contacts: Mapped[list[Account]] = relationship(
        secondary="vorhaben_contacts", lazy="raise", order_by="Account.display_name"
    )
    ai_record: Mapped[AIRecord | None] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class VorhabenField(Base):
    __tablename__ = "vorhaben_fields"
    __table_args__ = (PrimaryKeyConstraint("vorhaben_id", "field_id"),)

    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    field_id: Mapped[int] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="CASCADE"), index=True
    )


class VorhabenTag(Base):
    __tablename__ = "vorhaben_tags"
    __table_args__ = (PrimaryKeyConstraint("vorhaben_id", "tag"),)

    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50))
    tag_folded: Mapped[str] = mapped_column(String(60), index=True)


class VorhabenPartner(Base):
    __tablename__ = "vorhaben_partners"
    __table_args__ = (PrimaryKeyConstraint("vorhaben_id", "municipality_id"),)

    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)


class VorhabenContact(Base):
    __tablename__ = "vorhaben_contacts"
    __table_args__ = (PrimaryKeyConstraint("vorhaben_id", "account_id"),)

    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )


class VorhabenVersion(Base):
    """A snapshot after every edit, so members can see what changed and who changed it."""

    __tablename__ = "vorhaben_versions"
    __table_args__ = (UniqueConstraint("vorhaben_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # `contacts` holds {"id", "name"} per contact person: the name as it was then, and who
    # it was, so erasure finds the version whatever name the person carries today.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    contact_links: Mapped[list[VorhabenVersionContact]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class VorhabenVersionContact(Base):
    """Who a version names as contact person: erasure finds every such version by this
    index instead of reading every snapshot."""

    __tablename__ = "vorhaben_version_contacts"
    __table_args__ = (PrimaryKeyConstraint("version_id", "account_id"),)

    version_id: Mapped[int] = mapped_column(ForeignKey("vorhaben_versions.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )


class StageChange(Base):
    """One step on the stage timeline."""

    __tablename__ = "vorhaben_stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "vorhaben_stage"))
    to_stage: Mapped[Stage] = mapped_column(str_enum(Stage, "vorhaben_stage"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def to_label(self) -> str:
        return STAGE_LABELS[self.to_stage]


class SignalKind(enum.StrEnum):
    INTERESTED = "interested"
    DOING_TOO = "doing_too"
    REUSE = "reuse"


SIGNAL_LABELS = {
    SignalKind.INTERESTED: N_("Interessiert uns"),
    SignalKind.DOING_TOO: N_("Machen wir auch"),
    SignalKind.REUSE: N_("Möchten wir nachnutzen"),
}


class Signal(Base):
    """A cooperation signal of a municipality on a Vorhaben (one per municipality and kind)."""

    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint("vorhaben_id", "municipality_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    kind: Mapped[SignalKind] = mapped_column(str_enum(SignalKind, "signal_kind"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A member of the owning municipality marked it as seen: it is no longer "open" on
    # their dashboard (the signal itself stays listed on the Vorhaben).
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # A short note from the signalling municipality, and its own Vorhaben it points to;
    # the owners answer it once (reply). Trust-space text: never exported.
    note: Mapped[str | None] = mapped_column(Text)
    linked_vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="SET NULL")
    )
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[dt.datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    municipality: Mapped[Municipality] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return SIGNAL_LABELS[self.kind]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class Follow(Base):
    """A member follows a Vorhaben and is notified of its activity."""

    __tablename__ = "follows"
    __table_args__ = (PrimaryKeyConstraint("account_id", "vorhaben_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Interest(Base):
    """A field of action a member cares about (for the dashboard)."""

    __tablename__ = "account_interests"
    __table_args__ = (PrimaryKeyConstraint("account_id", "field_id"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    field_id: Mapped[int] = mapped_column(ForeignKey("fields_of_action.id", ondelete="CASCADE"))


class AIRiskClass(enum.StrEnum):
    """The risk classes of the EU AI Act (Regulation (EU) 2024/1689)."""

    MINIMAL = "minimal"
    LIMITED = "limited"
    HIGH = "high"
    PROHIBITED = "prohibited"


AI_RISK_LABELS = {
    AIRiskClass.MINIMAL: N_("Minimales Risiko"),
    AIRiskClass.LIMITED: N_("Begrenztes Risiko (Transparenzpflichten)"),
    AIRiskClass.HIGH: N_("Hohes Risiko"),
    AIRiskClass.PROHIBITED: N_("Verbotene Praxis"),
}


class AIRecord(Base):
    """What a Vorhaben that uses AI records about it: responsibility, data, oversight, risk
    under the EU AI Act, evaluation, energy and reuse. Kept when the Vorhaben stops using
    AI (nothing typed is lost), shown and exported only while it uses AI."""

    __tablename__ = "vorhaben_ai_records"

    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(Text, default="")
    responsible_body: Mapped[str] = mapped_column(String(300), default="")
    data_used: Mapped[str] = mapped_column(Text, default="")
    data_origin: Mapped[str] = mapped_column(Text, default="")
    human_oversight: Mapped[str] = mapped_column(Text, default="")
    risk_class: Mapped[AIRiskClass | None] = mapped_column(
        str_enum(AIRiskClass, "ai_risk_class"), index=True
    )
    risk_explanation: Mapped[str] = mapped_column(Text, default="")
    quality_fairness: Mapped[str] = mapped_column(Text, default="")
    energy_footprint: Mapped[str] = mapped_column(Text, default="")
    reuse_potential: Mapped[str] = mapped_column(Text, default="")

    @property
    def risk_label(self) -> str:
        return AI_RISK_LABELS[self.risk_class] if self.risk_class else ""

    @property
    def is_empty(self) -> bool:
        return self.risk_class is None and not any(getattr(self, name) for name in AI_RECORD_TEXTS)


# The free-text fields of an AI record, in the order forms, pages and the feed show them.
AI_RECORD_TEXTS = (
    "purpose",
    "responsible_body",
    "data_used",
    "data_origin",
    "human_oversight",
    "risk_explanation",
    "quality_fairness",
    "energy_footprint",
    "reuse_potential",
)
