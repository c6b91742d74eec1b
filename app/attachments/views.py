"""Attachments as the pages list them: a Vorhaben's own files and those of its comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, select
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


def _select() -> Select[Any]:
    columns: list[Any] = [
        Attachment.id,
        Attachment.comment_id,
        Attachment.message_id,
        Attachment.display_name,
        Attachment.kind,
        Attachment.size,
        Attachment.preview_key,
        Attachment.uploader_id,
        Attachment.created_at,
        Account.display_name.label("uploader_name"),
        Account.state,
    ]
    return (
        select(*columns)
        .outerjoin(Account, Account.id == Attachment.uploader_id)
        .order_by(Attachment.created_at, Attachment.id)
    )


def _view(row: Row[Any]) -> AttachmentView:
    named = row.state is not None and row.state is not AccountState.ERASED
    return AttachmentView(
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


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """The files of a Vorhaben and of its comments, oldest first (the caller checked that
    the reader may see the Vorhaben; the thread shows a comment's files only where it
    shows the comment)."""
    rows = db.execute(_select().where(Attachment.vorhaben_id == vorhaben_id))
    own: list[AttachmentView] = []
    by_comment: dict[int, list[AttachmentView]] = {}
    for row in rows:
        view = _view(row)
        if row.comment_id is None:
            own.append(view)
        else:
            by_comment.setdefault(row.comment_id, []).append(view)
    return Listing(tuple(own), {key: tuple(value) for key, value in by_comment.items()})


def of_messages(db: Session, message_ids: Iterable[int]) -> dict[int, tuple[AttachmentView, ...]]:
    """The files of these direct messages, by message (the caller, app.messages, decided
    which messages the reader may see)."""
    ids = list(message_ids)
    if not ids:
        return {}
    found: dict[int, list[AttachmentView]] = {}
    for row in db.execute(_select().where(Attachment.message_id.in_(ids))):
        found.setdefault(row.message_id, []).append(_view(row))
    return {key: tuple(value) for key, value in found.items()}


def page_context(db: Session, vorhaben_id: int) -> dict[str, object]:
    """What the Vorhaben page shows of its attachments (handed to it by app.wiring)."""
    return {"attachments": of_vorhaben(db, vorhaben_id), "attachment_errors": {}}
