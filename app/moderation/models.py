"""Reports of a Vorhaben or a comment, and what the moderators decided."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_


class TargetType(enum.StrEnum):
    VORHABEN = "vorhaben"
    COMMENT = "comment"


class Category(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    PERSONAL_DATA = "personal_data"
    CONFIDENTIAL = "confidential"
    WRONG = "wrong"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.SPAM: N_("Werbung oder Spam"),
    Category.OFFENSIVE: N_("Beleidigend oder unangemessen"),
    Category.PERSONAL_DATA: N_("Enthält personenbezogene Daten"),
    Category.CONFIDENTIAL: N_("Vertrauliche Information"),
    Category.WRONG: N_("Falsch oder irreführend"),
    Category.OTHER: N_("Anderes"),
}


class ReportState(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


REPORT_STATE_LABELS = {
    ReportState.OPEN: N_("Offen"),
    ReportState.DISMISSED: N_("Zurückgewiesen"),
    ReportState.ACTIONED: N_("Entschieden"),
}


class Report(Base):
    """One member's report; several reports of one target are handled together."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("target_type", "target_id", "reporter_id"),
        Index("ix_reports_state_created_at", "state", "created_at"),
        Index("ix_reports_target_type_target_id", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[TargetType] = mapped_column(str_enum(TargetType, "report_target"))
    target_id: Mapped[int]
    vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    reporter_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    category: Mapped[Category] = mapped_column(str_enum(Category, "report_category"))
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReportState] = mapped_column(
        str_enum(ReportState, "report_state"), default=ReportState.OPEN
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    decision: Mapped[str | None] = mapped_column(String(30))

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def state_label(self) -> str:
        return REPORT_STATE_LABELS[self.state]
