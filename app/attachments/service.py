"""Attachments: check an upload, store it, find it for a reader, delete it.

A file is checked before anything is written (size, kind by content, the limit per
Vorhaben or topic); it is readable only through its parent's visibility (the Vorhaben or
the circle's topic by app.vorhaben.visibility, and for a comment's file that comment too):
hiding the parent hides the file, deleting a comment or a topic deletes its files. A direct
message's files are stored here too (store_in_conversation) but read only through
app.messages.files, which knows the participants: readable() answers 404 for them.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import column, delete, func, select, table
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.attachments import kinds, names, preview, scan, storage
from app.attachments.kinds import Kind, refuse
from app.attachments.models import Attachment
from app.audit import service as audit
from app.circles.models import Topic
from app.config import Settings
from app.core.errors import Forbidden, NotFound
from app.i18n import N_, format_megabytes
from app.i18n import gettext as _
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import (
    Reader,
    can_see_comment,
    require_visible,
    require_visible_topic,
)

# Comments sit above attachments: the three columns the visibility rule reads, by name.
_comments = table(
    "comments", column("id"), column("author_id"), column("hidden_at"), column("deleted_at")
)
# Messages too: a conversation's row is locked while its files' total is checked.
_conversations = table("conversations", column("id"))


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks that need no database (with an image's preview)."""

    file: BinaryIO
    name: str
    kind: Kind
    size: int
    sha256: str
    preview: bytes | None = None


megabytes = format_megabytes


def check(settings: Settings, filename: str, file: BinaryIO) -> Checked:
    """Measure, fingerprint and identify an upload (ValidationFailed says why not)."""
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    limit = settings.attachment_max_file_bytes
    while chunk := file.read(storage.CHUNK):
        size += len(chunk)
        if size > limit:
            raise refuse(
                _("Die Datei ist zu groß: höchstens %(limit)s MB.", limit=megabytes(limit))
            )
        digest.update(chunk)
    if size == 0:
        raise refuse(_("Die Datei ist leer."))
    kind = kinds.detect(file, size)
    scan.check(settings.clamd_socket, file)
    shown = None
    if kind.image:
        try:
            shown, _media_type = preview.render(file)
        except Exception:  # verified, yet undecodable: a refusal, not a 500
            raise refuse(_("Das Bild ist beschädigt oder kein Bild.")) from None
    file.seek(0)
    name = names.for_kind(filename, kind)
    return Checked(file, name, kind, size, digest.hexdigest(), shown)


def usage(db: Session, vorhaben_id: int) -> int:
    """The bytes a Vorhaben's attachments (its own and its comments') take."""
    total = db.scalar(
        select(func.sum(Attachment.size)).where(Attachment.vorhaben_id == vorhaben_id)
    )
    return int(total or 0)


def topic_usage(db: Session, topic_id: int) -> int:
    """The bytes a topic's attachments take."""
    total = db.scalar(select(func.sum(Attachment.size)).where(Attachment.topic_id == topic_id))
    return int(total or 0)


def store(
    db: Session,
    settings: Settings,
    checked: Checked,
    vorhaben: Vorhaben | None,
    uploader: Account,
    *,
    comment_id: int | None = None,
    topic: Topic | None = None,
) -> Attachment:
    """Keep a checked upload for a Vorhaben or a topic (or one of their comments), within
    its limit (a topic has the same limit as a Vorhaben)."""
    # The parent's row is locked, so two uploads at once cannot both fit in the last space.
    limit = settings.attachment_max_vorhaben_bytes
    if vorhaben is not None:
        db.execute(select(Vorhaben.id).where(Vorhaben.id == vorhaben.id).with_for_update())
        used = usage(db, vorhaben.id)
        full = N_(
            "Für dieses Vorhaben ist kein Platz mehr: Anhänge dürfen zusammen höchstens "
            "%(limit)s MB groß sein, %(used)s MB sind belegt."
        )
    elif topic is not None:
        db.execute(select(Topic.id).where(Topic.id == topic.id).with_for_update())
        used = topic_usage(db, topic.id)
        full = N_(
            "Für dieses Thema ist kein Platz mehr: Anhänge dürfen zusammen höchstens "
            "%(limit)s MB groß sein, %(used)s MB sind belegt."
        )
    else:
        raise ValueError("an attachment needs a Vorhaben or a topic")
    if used + checked.size > limit:
        raise refuse(_(full, limit=megabytes(limit), used=megabytes(used)))
    return _put(
        db,
        settings,
        checked,
        uploader,
        vorhaben_id=vorhaben.id if vorhaben is not None else None,
        topic_id=topic.id if topic is not None else None,
        comment_id=comment_id,
    )


def store_in_conversation(
    db: Session,
    settings: Settings,
    checked: Checked,
    uploader: Account,
    *,
    conversation_id: int,
    message_id: int,
) -> Attachment:
    """Keep a checked upload for a direct message, within the conversation's limit (the
    same total as a Vorhaben's); the caller made sure the uploader takes part."""
    db.execute(
        select(_conversations.c.id).where(_conversations.c.id == conversation_id).with_for_update()
    )
    limit = settings.attachment_max_vorhaben_bytes
    used = int(
        db.scalar(
            select(func.sum(Attachment.size)).where(Attachment.conversation_id == conversation_id)
        )
        or 0
    )
    if used + checked.size > limit:
        raise refuse(
            _(
                "In dieser Unterhaltung ist kein Platz mehr: Anhänge dürfen zusammen höchstens "
                "%(limit)s MB groß sein, %(used)s MB sind belegt.",
                limit=megabytes(limit),
                used=megabytes(used),
            )
        )
    return _put(
        db, settings, checked, uploader, conversation_id=conversation_id, message_id=message_id
    )


def _put(
    db: Session, settings: Settings, checked: Checked, uploader: Account, **scope: int | None
) -> Attachment:
    files = storage.from_settings(settings)
    key = storage.new_key()
    files.put(key, checked.file)
    preview_key = None
    if checked.preview is not None:
        preview_key = storage.new_key()
        files.put(preview_key, io.BytesIO(checked.preview))
    attachment = Attachment(
        **scope,
        uploader_id=uploader.id,
        display_name=checked.name,
        kind=checked.kind.key,
        size=checked.size,
        sha256=checked.sha256,
        storage_key=key,
        preview_key=preview_key,
    )
    db.add(attachment)
    db.flush()
    return attachment


def add_to_vorhaben(
    db: Session,
    settings: Settings,
    member: Account,
    vorhaben_id: int,
    filename: str,
    file: BinaryIO,
) -> Attachment:
    """Attach a file to a Vorhaben (those who may edit it)."""
    # Checked before the first statement: on SQLite that takes the write lock.
    checked = check(settings, filename, file)
    vorhaben = require_visible(db.get(Vorhaben, vorhaben_id), member)
    if not vorhaben_service.can_edit(member, vorhaben):
        raise Forbidden(_("Dateien anhängen kann, wer das Vorhaben bearbeiten darf."))
    return store(db, settings, checked, vorhaben, member)


def add_to_topic(
    db: Session,
    settings: Settings,
    member: Account,
    topic_id: int,
    circle_id: int,
    filename: str,
    file: BinaryIO,
) -> Attachment:
    """Attach a file to a topic (its author; 404 for whoever may not see the topic)."""
    checked = check(settings, filename, file)
    topic = require_visible_topic(db.get(Topic, topic_id), member)
    if topic.circle_id != circle_id:
        raise NotFound(_("Dieses Thema gibt es nicht oder Sie können es nicht sehen."))
    if topic.author_id != member.id:
        raise Forbidden(_("Dateien anhängen kann, wer das Thema eröffnet hat."))
    return store(db, settings, checked, None, member, topic=topic)


Parent = Vorhaben | Topic


def readable(db: Session, reader: Reader, attachment_id: int) -> tuple[Attachment, Parent]:
    """An attachment whose parent the reader may see, with its Vorhaben or topic (404
    otherwise)."""
    attachment = db.get(Attachment, attachment_id)
    # A message's file is read only through app.messages.files (the participants).
    if attachment is None or attachment.message_id is not None:
        raise NotFound(_("Diesen Anhang gibt es nicht."))
    parent: Parent
    try:
        if attachment.topic_id is not None:
            parent = require_visible_topic(db.get(Topic, attachment.topic_id), reader)
        else:
            parent = require_visible(db.get(Vorhaben, attachment.vorhaben_id), reader)
    except NotFound:
        raise NotFound(_("Diesen Anhang gibt es nicht.")) from None
    if attachment.comment_id is not None:
        comment = db.execute(
            select(_comments).where(_comments.c.id == attachment.comment_id)
        ).one_or_none()
        if (
            comment is None
            or comment.deleted_at is not None
            or not can_see_comment(reader, comment)
        ):
            raise NotFound(_("Diesen Anhang gibt es nicht."))
    return attachment, parent


def _owns(reader: Account, attachment: Attachment, parent: Parent) -> bool:
    """Whoever runs the parent: a Vorhaben's editors, a topic's author (own files only)."""
    if attachment.comment_id is not None:
        return False
    if isinstance(parent, Topic):
        return parent.author_id == reader.id
    return vorhaben_service.can_edit(reader, parent)


def may_delete(reader: Account, attachment: Attachment, parent: Parent) -> bool:
    """The uploader, the moderators (who see it), and for a Vorhaben's or a topic's own
    files whoever runs it (its editors, the topic's author)."""
    return (
        reader.id == attachment.uploader_id
        or reader.is_moderator
        or _owns(reader, attachment, parent)
    )


def delete_one(db: Session, settings: Settings, actor: Account, attachment_id: int) -> Attachment:
    """Delete an attachment (see may_delete); a moderator's deletion is audited."""
    attachment, parent = readable(db, actor, attachment_id)
    if not may_delete(actor, attachment, parent):
        raise Forbidden(_("Diesen Anhang können Sie nicht löschen."))
    if actor.id != attachment.uploader_id and not _owns(actor, attachment, parent):
        # a moderator's decision
        audit.record(
            db,
            "attachment_deleted",
            actor_id=actor.id,
            object_type="attachment",
            object_id=attachment.id,
            subject_id=attachment.uploader_id,
            vorhaben_id=attachment.vorhaben_id,
            topic_id=attachment.topic_id,
            comment_id=attachment.comment_id,
            name=attachment.display_name,
        )
    _forget(db, settings, [attachment])
    return attachment


def delete_for_comment(db: Session, settings: Settings | None, comment_id: int) -> None:
    """A deleted comment takes its files with it (without settings, the stored copies are
    left to the maintenance sweep)."""
    _forget(
        db,
        settings,
        list(db.scalars(select(Attachment).where(Attachment.comment_id == comment_id))),
    )


def _forget(db: Session, settings: Settings | None, attachments: list[Attachment]) -> None:
    if not attachments:
        return
    keys = [key for a in attachments for key in (a.storage_key, a.preview_key) if key]
    # Only a Vorhaben's own files can be published (never a topic's or a message's).
    own = tuple(a.id for a in attachments if a.comment_id is None and a.vorhaben_id is not None)
    vorhaben_id = attachments[0].vorhaben_id
    db.execute(delete(Attachment).where(Attachment.id.in_([a.id for a in attachments])))
    if own and vorhaben_id is not None and settings is not None:
        events.publish(db, events.AttachmentsDeleted(settings, vorhaben_id, own))
    for attachment in attachments:
        db.expunge(attachment)
    if settings is not None:
        storage.delete_after_commit(db, storage.from_settings(settings), keys)


def sweep(db: Session, settings: Settings) -> int:
    """Delete stored files no attachment points at any more (maintenance)."""
    known = set(db.scalars(select(Attachment.storage_key)))
    known |= set(
        db.scalars(select(Attachment.preview_key).where(Attachment.preview_key.is_not(None)))
    )
    return storage.sweep(storage.from_settings(settings), known)
