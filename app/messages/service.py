"""Conversations: start one (with one to 19 others), reply, read; who may read is only who
takes part (anyone else gets 404, moderators too: they read through app.messages.moderation).

A new message is a "neue Nachricht" for every other participant: counted in their page
header (unread_count_column) and, for those who want mail at once, a mail that names the
writer and links to the conversation but never carries the message's words (mail leaves
the trust space; a message is meant for its participants only). At most one mail per
conversation until the receiver has read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState, MailMode, shown_name
from app.attachments import service as attachments
from app.attachments.service import Checked
from app.config import Settings
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import parse_id
from app.core.text import forbidden_character, normalize, too_long
from app.i18n import gettext as _
from app.messages.blocks import between_clause, blocked_between, blocked_since_clause
from app.messages.models import Conversation, Message, Participant
from app.outbox import mail

BODY_MAX = 10_000
PARTICIPANTS_MAX = 20  # the writer included
SHOWN_MAX = 500  # the newest messages a conversation page shows


def not_found() -> NotFound:
    return NotFound(_("Diese Unterhaltung gibt es nicht."))


def clean_body(body: str) -> str:
    """The message text, normalised, or ValidationFailed on field `body`."""
    text = normalize(body).strip()
    if not text:
        raise ValidationFailed({"body": _("Bitte schreiben Sie eine Nachricht.")})
    if len(text) > BODY_MAX:
        raise ValidationFailed({"body": too_long(BODY_MAX, len(text))})
    if reason := forbidden_character(text):
        raise ValidationFailed({"body": reason})
    return text


def chosen_ids(values: Iterable[str]) -> list[int]:
    """The ids of the chosen recipients, in order, without repeats (odd values dropped)."""
    seen: dict[int, None] = {}
    for value in values:
        key = parse_id(value)
        if key is not None:
            seen[key] = None
    return list(seen)


def messageable(db: Session, writer: Account, ids: Iterable[int]) -> list[Account]:
    """Of these accounts, the approved members the writer may write to (not the writer,
    no block between them), by name."""
    wanted = {key for key in ids if key != writer.id}
    if not wanted:
        return []
    return list(
        db.scalars(
            select(Account)
            .where(
                Account.id.in_(wanted),
                Account.state == AccountState.APPROVED,
                ~between_clause(writer.id),
            )
            .order_by(Account.display_name, Account.id)
        )
    )


def find_members(db: Session, writer: Account, text: str, *, limit: int = 10) -> list[Account]:
    """Approved members whose name contains the text (to add them to a new conversation)."""
    words = normalize(text).strip()[:100]
    if len(words) < 2 or forbidden_character(words):
        return []
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.scalars(
            select(Account)
            .where(
                Account.state == AccountState.APPROVED,
                Account.id != writer.id,
                Account.display_name.ilike(pattern, escape="\\"),
                ~between_clause(writer.id),
            )
            .order_by(Account.display_name, Account.id)
            .limit(limit)
        )
    )


def _recipients(db: Session, writer: Account, values: Iterable[str]) -> list[Account]:
    ids = [key for key in chosen_ids(values) if key != writer.id]
    if not ids:
        raise ValidationFailed(
            {"an": _("Bitte wählen Sie mindestens ein anderes Mitglied als Empfänger.")}
        )
    if len(ids) + 1 > PARTICIPANTS_MAX:
        raise ValidationFailed(
            {
                "an": _(
                    "Eine Unterhaltung hat höchstens %(count)s Beteiligte (Sie eingeschlossen).",
                    count=PARTICIPANTS_MAX,
                )
            }
        )
    accounts = messageable(db, writer, ids)
    if len(accounts) != len(ids):
        raise ValidationFailed(
            {"an": _("Nicht alle Gewählten können Nachrichten von Ihnen erhalten.")}
        )
    return accounts


def _pair(db: Session, writer: Account, other: Account) -> Conversation | None:
    """The conversation of just these two, if there is one (a new message joins it)."""
    mine = select(Participant.conversation_id).where(Participant.account_id == writer.id)
    theirs = select(Participant.conversation_id).where(Participant.account_id == other.id)
    two = (
        select(Participant.conversation_id)
        .group_by(Participant.conversation_id)
        .having(func.count() == 2)
    )
    return db.scalars(
        select(Conversation)
        .where(Conversation.id.in_(mine), Conversation.id.in_(theirs), Conversation.id.in_(two))
        .order_by(Conversation.id)
        .limit(1)
    ).first()


def start(
    db: Session,
    settings: Settings,
    writer: Account,
    recipients: Iterable[str],
    body: str,
    *,
    checked: Checked | None = None,
    errors: dict[str, str] | None = None,
) -> Conversation:
    """Write to one or several members: a new conversation (or, to one person, the one the
    two already have), with a checked file if one came (`errors`: the file's, found before)."""
    errors = dict(errors or {})
    accounts: list[Account] = []
    text = ""
    try:
        accounts = _recipients(db, writer, recipients)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        text = clean_body(body)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    existing = _pair(db, writer, accounts[0]) if len(accounts) == 1 else None
    if existing is not None:
        _write(db, settings, existing, writer, text, checked)
        return existing
    conversation = Conversation(started_by_id=writer.id)
    db.add(conversation)
    db.flush()
    for account in (writer, *accounts):
        db.add(Participant(conversation_id=conversation.id, account_id=account.id))
    db.flush()
    _write(db, settings, conversation, writer, text, checked)
    return conversation


def reply(
    db: Session,
    settings: Settings,
    writer: Account,
    conversation_id: int,
    body: str,
    *,
    checked: Checked | None = None,
    errors: dict[str, str] | None = None,
) -> Message:
    """Write in a conversation one takes part in (with a checked file if one came)."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None or db.get(Participant, (conversation_id, writer.id)) is None:
        raise not_found()
    found = dict(errors or {})
    text = ""
    try:
        text = clean_body(body)
    except ValidationFailed as error:
        found.update(error.errors)
    if found:
        raise ValidationFailed(found)
    return _write(db, settings, conversation, writer, text, checked)


def _write(
    db: Session,
    settings: Settings,
    conversation: Conversation,
    writer: Account,
    text: str,
    checked: Checked | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        author_id=writer.id,
        body=text,
        body_html=markdown.render(text),
    )
    db.add(message)
    db.flush()
    if checked is not None:  # over the conversation's limit: ValidationFailed, nothing kept
        attachments.store_in_conversation(
            db, settings, checked, writer, conversation_id=conversation.id, message_id=message.id
        )
    conversation.last_message_at = message.created_at
    mark_read(db, writer, conversation.id, message.id)
    _tell(db, settings, conversation, writer)
    return message


def _tell(db: Session, settings: Settings, conversation: Conversation, writer: Account) -> None:
    """Mail the other participants who want mail at once and have read their last one."""
    others = db.scalars(
        select(Participant)
        .join(Account, Account.id == Participant.account_id)
        .where(
            Participant.conversation_id == conversation.id,
            Participant.account_id != writer.id,
            Account.state == AccountState.APPROVED,
            Account.mail_mode == MailMode.IMMEDIATE,
        )
        .options(joinedload(Participant.account))
    ).all()
    blockers = blocked_between(db, writer.id, [p.account_id for p in others], only_by_them=True)
    now = utcnow()
    for participant in others:
        if participant.account_id in blockers:
            continue
        if participant.mailed_at is not None and (
            participant.read_at is None or participant.read_at < participant.mailed_at
        ):
            continue  # told already, not read since
        receiver = participant.account
        participant.mailed_at = now
        mail.send(
            db,
            settings,
            to=receiver.email,
            locale=receiver.locale,
            name="message",
            context={
                "receiver": receiver,
                "writer": writer.display_name,
                "path": f"/nachrichten/{conversation.id}",
            },
            about=(receiver.id, mail.About()),
        )


def mark_read(db: Session, reader: Account, conversation_id: int, up_to: int) -> None:
    """The reader has seen the conversation's messages up to this id."""
    participant = db.get(Participant, (conversation_id, reader.id))
    if participant is not None and up_to > participant.read_up_to:
        participant.read_up_to = up_to
        participant.read_at = utcnow()


# -- reading ---------------------------------------------------------------------------------


def _unread(reader_id: Any) -> Select[int]:
    """Messages after the reader's mark, by others, neither hidden nor from someone the
    reader blocked (written after the block)."""
    return (
        select(func.count())
        .select_from(Participant)
        .join(
            Message,
            and_(
                Message.conversation_id == Participant.conversation_id,
                Message.id > Participant.read_up_to,
            ),
        )
        .where(
            Participant.account_id == reader_id,
            or_(Message.author_id.is_(None), Message.author_id != reader_id),
            Message.hidden_at.is_(None),
            ~blocked_since_clause(reader_id),
        )
    )


def unread_count(db: Session, reader: Account) -> int:
    """Unread messages of the reader, over all conversations."""
    return db.scalar(_unread(reader.id)) or 0


def unread_count_column() -> ScalarSelect[int]:
    """unread_count() as a column of the session lookup's query, which loads `accounts`:
    the header's count comes in the same statement (app.auth.deps.count_in_header)."""
    return _unread(Account.id).correlate(Account).scalar_subquery()


@dataclass(frozen=True)
class Summary:
    """One conversation in the list."""

    id: int
    last_message_at: Any
    names: list[str]
    unread: int


def conversations(db: Session, reader: Account, *, limit: int = 100) -> list[Summary]:
    """The reader's conversations, newest activity first, with their unread counts."""
    unread = (
        _unread(reader.id)
        .where(Participant.conversation_id == Conversation.id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    rows = db.execute(
        select(Conversation.id, Conversation.last_message_at, unread)
        .join(Participant, Participant.conversation_id == Conversation.id)
        .where(Participant.account_id == reader.id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
    ).all()
    names = _names(db, reader, [row[0] for row in rows])
    return [Summary(row[0], row[1], names.get(row[0], []), row[2] or 0) for row in rows]


def _names(db: Session, reader: Account, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = db.execute(
        select(Participant.conversation_id, Account.display_name, Account.state)
        .join(Account, Account.id == Participant.account_id)
        .where(Participant.conversation_id.in_(ids), Participant.account_id != reader.id)
        .order_by(Account.display_name)
    )
    for conversation_id, name, state in rows:
        found.setdefault(conversation_id, []).append(shown_name(name, state))
    return found


@dataclass(frozen=True)
class MessageView:
    id: int
    author_id: int | None
    author_name: str
    body_html: str
    created_at: Any
    hidden: bool
    hidden_reason: str | None


@dataclass(frozen=True)
class ConversationView:
    conversation: Conversation
    participants: list[Account]
    messages: list[MessageView]
    read_up_to: int  # where the reader's unread messages begin (before this visit)

    def newly_read(self, reader_id: int) -> int:
        """How many of the shown messages this visit marked read (as _unread() counts)."""
        return sum(
            1
            for m in self.messages
            if m.id > self.read_up_to and m.author_id != reader_id and not m.hidden
        )


def _messages(db: Session, conversation_id: int, reader_id: int | None) -> list[MessageView]:
    query = (
        select(Message, Account.display_name, Account.state)
        .outerjoin(Account, Account.id == Message.author_id)
        .where(Message.conversation_id == conversation_id)
    )
    if reader_id is not None:
        query = query.where(~blocked_since_clause(reader_id))
    rows = db.execute(query.order_by(Message.id.desc()).limit(SHOWN_MAX)).all()
    return [
        MessageView(
            message.id,
            message.author_id,
            shown_name(name, state),
            message.body_html,
            message.created_at,
            message.hidden_at is not None,
            message.hidden_reason,
        )
        for message, name, state in reversed(rows)
    ]


def participants(db: Session, conversation_id: int) -> list[Account]:
    return list(
        db.scalars(
            select(Account)
            .join(Participant, Participant.account_id == Account.id)
            .where(Participant.conversation_id == conversation_id)
            .order_by(Account.display_name, Account.id)
        )
    )


def read(db: Session, reader: Account, conversation_id: int) -> ConversationView:
    """A conversation the reader takes part in (404 for anyone else), marked as read."""
    conversation = db.get(Conversation, conversation_id)
    participant = db.get(Participant, (conversation_id, reader.id))
    if conversation is None or participant is None:
        raise not_found()
    before = participant.read_up_to
    shown = _messages(db, conversation_id, reader.id)
    if shown:
        mark_read(db, reader, conversation_id, shown[-1].id)
    return ConversationView(conversation, participants(db, conversation_id), shown, before)


def read_as_moderator(db: Session, conversation_id: int) -> ConversationView:
    """Every message, hidden ones too (for app.messages.moderation, which decides who)."""
    conversation = db.get(Conversation, conversation_id)
    if conversation is None:
        raise not_found()
    return ConversationView(
        conversation, participants(db, conversation_id), _messages(db, conversation_id, None), 0
    )


def takes_part(db: Session, reader: Account, conversation_id: int) -> bool:
    return db.get(Participant, (conversation_id, reader.id)) is not None


def written_by(db: Session, account_id: int) -> list[dict[str, Any]]:
    """The messages a person wrote, for their own data export (no other member named)."""
    return [
        {
            "id": message.id,
            "conversation_id": message.conversation_id,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
            "hidden_reason": message.hidden_reason,
        }
        for message in db.scalars(
            select(Message).where(Message.author_id == account_id).order_by(Message.id)
        )
    ]
