"""A date ("Termin") and the personal calendar feed of a member.

Who owns a date is said by real foreign keys, one nullable column per kind of owner (an
"exclusive arc", as attachments do), not by an owner kind plus a loose id: the database
deletes the dates with their owner, and the visibility check is a plain join. A date
belongs to a Vorhaben, a circle or a topic (`vorhaben_id`, `circle_id`, `topic_id`); the
check constraint `one_owner` says that exactly one is set (docs/dates.md).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_


class Kind(enum.StrEnum):
    MEETING = "treffen"
    WORKSHOP = "workshop"
    FUNDING_DEADLINE = "foerderfrist"
    OTHER = "sonstiges"


KIND_LABELS = {
    Kind.MEETING: N_("Treffen"),
    Kind.WORKSHOP: N_("Workshop"),
    Kind.FUNDING_DEADLINE: N_("Förderfrist"),
    Kind.OTHER: N_("Sonstiger Termin"),
}

OWNER_COLUMNS = ("vorhaben_id", "circle_id", "topic_id")
# The owner columns; exactly one is set.
OWNER_SQL = (
    " + ".join(f"(CASE WHEN {column} IS NOT NULL THEN 1 ELSE 0 END)" for column in OWNER_COLUMNS)
    + " = 1"
)


class Termin(Base):
    __tablename__ = "termine"
    __table_args__ = (CheckConstraint(OWNER_SQL, name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    circle_id: Mapped[int | None] = mapped_column(
        ForeignKey("circles.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "termin_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # Stored in UTC. A date without a time of day (all_day) starts at midnight in Berlin;
    # its end is the last day it covers (midnight in Berlin of that day).
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime | None]
    all_day: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    # iCalendar SEQUENCE: raised by every change, so calendar apps take the new version.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class CalendarFeed(Base):
    """A member's secret calendar feed address; only the SHA-256 of its token is kept."""

    __tablename__ = "calendar_feeds"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
