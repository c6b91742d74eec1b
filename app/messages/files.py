"""Files in direct messages: stored and checked by app.attachments (the same kinds, limits,
scan and storage as a comment's file), read only here, by the participants.

A message's file is readable by whoever may read the message: a participant, while the
message is not hidden and its writer is not someone the reader blocked before it was
written. Everyone else gets 404, moderators too; they read a reported conversation's files
only through its open report (moderation.for_moderator's rule), and every such download is
an audit event. Files are never exported (the import-linter contract
export-never-reads-attachments); an erased writer's files stay, as their messages do."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.attachments.models import Attachment
from app.attachments.views import AttachmentView, of_messages
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.messages import moderation, service
from app.messages.blocks import blocked_since_clause
from app.messages.models import Message
from app.vorhaben.visibility import moderator_reads


def _not_found() -> NotFound:
    return NotFound(_("Diesen Anhang gibt es nicht."))


def _of_message(db: Session, attachment_id: int) -> Attachment:
    attachment = db.get(Attachment, attachment_id)
    if attachment is None or attachment.message_id is None:
        raise _not_found()
    return attachment


def readable(db: Session, reader: Account, attachment_id: int) -> Attachment:
    """A message's file the reader may read: a participant, the message shown to them
    (not hidden, not from someone they blocked before it was written); 404 otherwise."""
    attachment = _of_message(db, attachment_id)
    shown = db.scalar(
        select(Message.id).where(
            Message.id == attachment.message_id,
            Message.hidden_at.is_(None),
            ~blocked_since_clause(reader.id),
        )
    )
    conversation_id = attachment.conversation_id
    if (
        shown is None
        or conversation_id is None
        or not service.takes_part(db, reader, conversation_id)
    ):
        raise _not_found()
    return attachment


def readable_by_moderator(db: Session, moderator: Account, attachment_id: int) -> Attachment:
    """A reported conversation's file for a moderator (hidden messages' too, as the
    moderators' reading shows them): only while a report on the conversation is open, and
    each download is audited (404 otherwise, and for a moderator taking part: they read
    their own conversation as a participant)."""
    attachment = _of_message(db, attachment_id)
    conversation_id = attachment.conversation_id
    if conversation_id is None or not moderation.has_open_report(db, conversation_id):
        raise _not_found()
    moderator_reads(
        db,
        moderator,
        readable=False,
        grant="open_report",
        object_type="attachment",
        object_id=attachment.id,
    )
    return attachment


def by_message(
    db: Session, messages: Iterable[service.MessageView]
) -> dict[int, tuple[AttachmentView, ...]]:
    """The files of the messages a page shows; none for a message shown as hidden."""
    return of_messages(db, [m.id for m in messages if not m.hidden])


def by_message_for_moderator(
    db: Session, messages: Iterable[service.MessageView]
) -> dict[int, tuple[AttachmentView, ...]]:
    """Every shown message's files, hidden ones' too (the moderators' reading)."""
    return of_messages(db, [m.id for m in messages])
