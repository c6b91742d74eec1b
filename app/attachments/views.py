"""Attachments as the pages list them: a Vorhaben's own files and those of its comments,
and a circle's topic's files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.attachments.kinds import KINDS
from app.attachments.models import Attachment
from app.core.json_rows import json_rows, stamp
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


# What a listed file shows; also the order of the values in page_column()'s JSON rows.
_COLUMNS = (
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


def _files(where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return select(*_COLUMNS).outerjoin(Account, Account.id == Attachment.uploader_id).where(where)


def _of_vorhaben(vorhaben_id: Any) -> Select[*tuple[Any, ...]]:
    return _files(Attachment.vorhaben_id == vorhaben_id)


def _view(
    key: int,
    comment_id: int | None,
    name: str,
    kind: str,
    size: int,
    preview_key: str | None,
    uploader_id: int | None,
    created_at: dt.datetime,
    uploader_name: str | None,
    state: AccountState | str | None,
) -> AttachmentView:
    named = state is not None and AccountState(state) is not AccountState.ERASED
    return AttachmentView(
        id=key,
        comment_id=comment_id,
        name=name,
        kind_label=KINDS[kind].label,
        size_text=size_text(size),
        is_image=preview_key is not None,
        uploader_id=uploader_id,
        uploader_name=uploader_name if named else None,
        created_at=created_at,
    )


def _listing(views: Iterable[AttachmentView]) -> Listing:
    """The files oldest first: the Vorhaben's own, and by comment."""
    own: list[AttachmentView] = []
    by_comment: dict[int, list[AttachmentView]] = {}
    for view in sorted(views, key=lambda view: (view.created_at, view.id)):
        if view.comment_id is None:
            own.append(view)
        else:
            by_comment.setdefault(view.comment_id, []).append(view)
    return Listing(tuple(own), {key: tuple(value) for key, value in by_comment.items()})


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """The files of a Vorhaben and of its comments, oldest first (the caller checked that
    the reader may see the Vorhaben; the thread shows a comment's files only where it
    shows the comment)."""
    return _listing(_view(*row) for row in db.execute(_of_vorhaben(vorhaben_id)))


def of_topic(db: Session, topic_id: int) -> Listing:
    """The files of a circle's topic, oldest first (the caller checked that the reader may
    see the topic)."""
    return _listing(_view(*row) for row in db.execute(_files(Attachment.topic_id == topic_id)))


def of_messages(db: Session, message_ids: Iterable[int]) -> dict[int, tuple[AttachmentView, ...]]:
    """The files of these direct messages, by message (the caller, app.messages, decided
    which messages the reader may see)."""
    ids = list(message_ids)
    if not ids:
        return {}
    found: dict[int, list[AttachmentView]] = {}
    rows = db.execute(
        select(*_COLUMNS, Attachment.message_id)
        .outerjoin(Account, Account.id == Attachment.uploader_id)
        .where(Attachment.message_id.in_(ids))
        .order_by(Attachment.created_at, Attachment.id)
    )
    for *values, message_id in rows:
        found.setdefault(message_id, []).append(_view(*values))
    return {key: tuple(value) for key, value in found.items()}


def page_context(db: Session, vorhaben_id: int) -> dict[str, object]:
    """What a page of the discussion shows of the attachments (a statement of its own)."""
    return {"attachments": of_vorhaben(db, vorhaben_id), "attachment_errors": {}}


def page_column(vorhaben_id: ColumnElement[int]) -> ColumnElement[Any]:
    """The files of the Vorhaben `vorhaben_id` (a column of the enclosing statement) as one
    JSON value: the Vorhaben page reads them with the Vorhaben (app.wiring hands this in)."""
    return json_rows(_of_vorhaben(vorhaben_id).correlate_except(Attachment, Account))


def page_values(value: list[list[Any]], _vorhaben: object) -> dict[str, object]:
    """What the Vorhaben page shows of its attachments, from page_column()'s value."""
    views = (
        _view(key, comment, name, kind, size, preview, uploader, stamp(created), *rest)
        for key, comment, name, kind, size, preview, uploader, created, *rest in value
    )
    return {"attachments": _listing(views), "attachment_errors": {}}


def topic_context(db: Session, topic_id: int) -> dict[str, object]:
    """What a topic's page shows of its files (the caller loaded the topic for the reader):
    the topic's own, and (`attachments`, as on a Vorhaben's page) its comments' by comment."""
    listing = of_topic(db, topic_id)
    return {"topic_attachments": listing, "attachments": listing}
