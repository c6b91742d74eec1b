"""In-app notifications (also the source of immediate mails and daily digests)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base, str_enum


class NotificationKind(enum.StrEnum):
    COMMENT = "comment"
    REPLY = "reply"
    SIGNAL = "signal"
    STAGE = "stage"
    MENTION = "mention"
    SIGNAL_REPLY = "signal_reply"
    # From an alert (app.notifications.alerts): a new Vorhaben, or a stage change, in a
    # field, tag, municipality, Land or Kreis the member follows.
    ALERT_NEW = "alert_new"
    ALERT_STAGE = "alert_stage"
    # A date (app.dates) was entered or changed: its Vorhaben's followers, or its circle's
    # members, hear of it (app.notifications.dates).
    TERMIN_NEW = "termin_new"
    TERMIN_CHANGED = "termin_changed"


ALERT_KINDS = (NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_account_id_read_at", "account_id", "read_at"),
        Index("ix_notifications_account_id_created_at", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # A notification is about a Vorhaben or about a circle's topic (a comment on it).
    vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # A date; a circle's date names no Vorhaben and no topic (app.notifications.scope).
    termin_id: Mapped[int | None] = mapped_column(
        ForeignKey("termine.id", ondelete="CASCADE"), index=True
    )
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
    # When a mail (immediate or the digest) covered this notification.
    mailed_at: Mapped[dt.datetime | None]


# What a member hears of on their own municipality's Vorhaben without following them.
# Signals are addressed to the municipality and are rare: on. Comments would reach every
# colleague of a large city on every Vorhaben it has: off until chosen (following one
# Vorhaben is the finer way).
MUNICIPALITY_SIGNALS_DEFAULT = True
MUNICIPALITY_COMMENTS_DEFAULT = False


class NotificationSettings(Base):
    """A member's choices beyond the mail mode; no row means the defaults."""

    __tablename__ = "notification_settings"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_signals: Mapped[bool] = mapped_column(
        Boolean, default=MUNICIPALITY_SIGNALS_DEFAULT, server_default=true()
    )
    municipality_comments: Mapped[bool] = mapped_column(
        Boolean, default=MUNICIPALITY_COMMENTS_DEFAULT, server_default=false()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertKind(enum.StrEnum):
    """What an alert follows; its key names one of them as text (so one table and one
    index serve every kind, and a new kind, such as circles, needs no new column)."""

    FIELD = "field"  # key: fields_of_action.id
    TAG = "tag"  # key: the folded tag (vorhaben_tags.tag_folded)
    MUNICIPALITY = "municipality"  # key: municipalities.id of the owning municipality
    LAND = "land"  # key: municipalities.id of the Land
    KREIS = "kreis"  # key: municipalities.id of the Kreis
    CIRCLE = "circle"  # key: circles.id (only while the follower is an active member)


class Alert(Base):
    """A member follows a kind of Vorhaben: they hear of new ones and of stage changes."""

    __tablename__ = "alerts"
    __table_args__ = (
        PrimaryKeyConstraint("account_id", "kind", "key"),
        # The fan-out looks up the followers of a Vorhaben's few (kind, key) pairs.
        Index("ix_alerts_kind_key", "kind", "key"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, "alert_kind"))
    key: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Mention(Base):
    """A member named with @[Name](/mitglieder/{id}) in a text (a comment; topics and
    messages name their own `object_type`): kept so an edit notifies only the newly named,
    and so erasure finds every text that carries the erased person's name
    (app.notifications.mentions)."""

    __tablename__ = "mentions"
    __table_args__ = (UniqueConstraint("object_type", "object_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the named member was notified; None: they could not see the text then.
    notified_at: Mapped[dt.datetime | None]
