"""Attachments as the pages list them: a Vorhaben's own files and those of its comments,
and a circle's topic's files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.attachments.kinds import KINDS
from app.attachments.models import Attachment
from app.i18n import format_megabytes, format_number


@dataclass(frozen=True, slots=True)
class AttachmentView:
    id: int
    comment_id: int | None
    name: str
    kind_label: str  # N_() marked; the template translates it
    size_text: str
    is_image: bool
    uploader_id: int | None
    uploader_name: str | None  # None: a former member (erased, or the account is gone)
    created_at: dt.datetime


@dataclass(frozen=True)
class Listing:
    own: tuple[AttachmentView, ...] = ()
    by_comment: dict[int, tuple[AttachmentView, ...]] = field(default_factory=dict)


def size_text(size: int) -> str:
    """A file's size for people: kB below 0.1 MB, else MB."""
    if size < 100_000:
        return f"{format_number(max(1, round(size / 1000)))} kB"
    return f"{format_megabytes(size)} MB"


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """The files of a Vorhaben and of its comments, oldest first (the caller checked that
    the reader may see the Vorhaben; the thread shows a comment's files only where it
    shows the comment)."""
    return _listing(db, Attachment.vorhaben_id == vorhaben_id)


def of_topic(db: Session, topic_id: int) -> Listing:
    """The files of a circle's topic, oldest first (the caller checked that the reader may
    see the topic)."""
    return _listing(db, Attachment.topic_id == topic_id)


def _listing(db: Session, where: ColumnElement[bool]) -> Listing:
    rows = db.execute(
        select(
            Attachment.id,
            Attachment.comment_id,
            Attachment.display_name,
            Attachment.kind,
            Attachment.size,
            Attachment.preview_key,
            Attachment.uploader_id,
            Attachment.created_at,
            Account.display_name.label("uploader_name"),
            Account.state,
        )
        .outerjoin(Account, Account.id == Attachment.uploader_id)
        .where(where)
        .order_by(Attachment.created_at, Attachment.id)
    )
    own: list[AttachmentView] = []
    by_comment: dict[int, list[AttachmentView]] = {}
    for row in rows:
        named = row.state is not None and row.state is not AccountState.ERASED
        view = AttachmentView(
            id=row.id,
            comment_id=row.comment_id,
            name=row.display_name,
            kind_label=KINDS[row.kind].label,
            size_text=size_text(row.size),
            is_image=row.preview_key is not None,
            uploader_id=row.uploader_id,
            uploader_name=row.uploader_name if named else None,
            created_at=row.created_at,
        )
        if row.comment_id is None:
            own.append(view)
        else:
            by_comment.setdefault(row.comment_id, []).append(view)
    return Listing(tuple(own), {key: tuple(value) for key, value in by_comment.items()})


def page_context(db: Session, vorhaben_id: int) -> dict[str, object]:
    """What the Vorhaben page shows of its attachments (handed to it by app.wiring)."""
    return {"attachments": of_vorhaben(db, vorhaben_id), "attachment_errors": {}}


def topic_context(db: Session, topic_id: int) -> dict[str, object]:
    """What a topic's page shows of its files (the caller loaded the topic for the reader)."""
    return {"topic_attachments": of_topic(db, topic_id)}
