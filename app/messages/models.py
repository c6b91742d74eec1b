"""Conversations between members, their messages, who blocked whom, and reports of a message.

Reports of messages live here, not in app.moderation's reports: a message has no Vorhaben,
and the moderators read a conversation only through an open report on one of its messages
(app.messages.moderation)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base, str_enum
from app.i18n import N_


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The newest message's time: the list of conversations is ordered by it.
    last_message_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Participant(Base):
    """One member in a conversation, with how far they have read (the highest message id
    they have seen) and when they were last sent a mail about it."""

    __tablename__ = "conversation_participants"
    __table_args__ = (Index("ix_conversation_participants_account_id", "account_id"),)

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_up_to: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    read_at: Mapped[dt.datetime | None]
    mailed_at: Mapped[dt.datetime | None]

    account: Mapped[Account] = relationship(lazy="raise")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)


class Block(Base):
    """`blocker` no longer hears from `blocked`: no new conversation either way, and the
    blocked person's messages written since are not shown to the blocker."""

    __tablename__ = "message_blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ReportState(enum.StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


REPORT_STATE_LABELS = {
    ReportState.OPEN: N_("Offen"),
    ReportState.DISMISSED: N_("Zurückgewiesen"),
    ReportState.ACTIONED: N_("Entschieden"),
}


class MessageReport(Base):
    """A participant's report of a message; it opens the conversation to the moderators."""

    __tablename__ = "message_reports"
    __table_args__ = (
        UniqueConstraint("message_id", "reporter_id"),
        Index("ix_message_reports_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReportState] = mapped_column(
        str_enum(ReportState, "message_report_state"), default=ReportState.OPEN
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    @property
    def state_label(self) -> str:
        return REPORT_STATE_LABELS[self.state]
