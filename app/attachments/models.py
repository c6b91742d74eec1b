"""An attachment: a file kept outside the database (app.attachments.storage), its row here.

Who owns it is said by real foreign keys, one column per kind of parent (an "exclusive
arc"), not by an owner kind plus a loose id: the database then deletes the rows with their
parent, and the visibility check is a plain join. The scope of the limit and of the
visibility rule is a Vorhaben (`vorhaben_id`), a circle's topic (`topic_id`) or a direct
message (`message_id`, with `conversation_id` the scope of its limit), exactly one of them
(check `one_scope`); a Vorhaben's or a topic's file belongs to it directly or through one of
its comments (`comment_id`). Who may read a message's file is decided by app.messages (only
the participants), never here: readable() refuses every file of a message.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base

SCOPE_SQL = (
    "(CASE WHEN vorhaben_id IS NOT NULL THEN 1 ELSE 0 END)"
    " + (CASE WHEN topic_id IS NOT NULL THEN 1 ELSE 0 END)"
    " + (CASE WHEN message_id IS NOT NULL THEN 1 ELSE 0 END) = 1"
)


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint(SCOPE_SQL, name="one_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int | None] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), index=True
    )
    # A circle's topic (app.circles): its files are for the circle's active members alone,
    # and never leave through the export (only a Vorhaben's own files can be published).
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    # Shown and offered as the download's name; cleaned (app.attachments.names), never a
    # path on disk.
    display_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # app.attachments.kinds.KINDS
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    # Random names in the storage; a preview only for images.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    preview_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
