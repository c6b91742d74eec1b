"""Outbox rows: a mail or webhook delivery, its attempts and its lease."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base, str_enum


class Channel(enum.StrEnum):
    MAIL = "mail"
    WEBHOOK = "webhook"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry
    DROPPED = "dropped"  # not sent: no longer meant for its receiver (see Worker.mail_check)


class OutboxMessage(Base):
    """One delivery. A worker leases due rows, delivers, and records the outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_outbox_ordering_key", "ordering_key", "webhook_endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "outbox_channel", length=10))
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "outbox_state", length=10),
        default=DeliveryState.PENDING,
    )
    # Mail: to, subject, text, html, and (opaque to the outbox) what the mail is "about", for
    # the check before sending. Webhook: event type, body (issue of the export layer).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    # Webhooks: the project id. Rows with the same endpoint and key go out one after
    # another in id order, so a partner never gets an older change after a newer one.
    ordering_key: Mapped[str | None] = mapped_column(String(64))
    # Stable across retries (the Message-ID of a mail, the webhook-id of a webhook).
    message_key: Mapped[str] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[dt.datetime | None]
