"""Comments with one level of replies; edits keep the earlier wording."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Account
from app.core.clock import utcnow
from app.db import Base


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_vorhaben_id_created_at", "vorhaben_id", "created_at"),
        # A topic's discussion is paged as a Vorhaben's (app.comments.threads).
        Index("ix_comments_topic_id_created_at", "topic_id", "created_at"),
        CheckConstraint(
            "(vorhaben_id IS NULL AND topic_id IS NOT NULL)"
            " OR (vorhaben_id IS NOT NULL AND topic_id IS NULL)",
            name="vorhaben_or_topic",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A comment belongs to a Vorhaben or to a topic of a circle (app.topics), never both.
    vorhaben_id: Mapped[int | None] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    # Replies point at a top-level comment; a reply to a reply joins the same thread.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    deleted_at: Mapped[dt.datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    hidden_at: Mapped[dt.datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_at: Mapped[dt.datetime | None]

    author: Mapped[Account | None] = relationship(foreign_keys=[author_id], lazy="raise")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentRevision(Base):
    """The wording of a comment before an edit."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
