"""The reader's unread conversations as the notifications page lists them ("Neue Nachricht
von …"): one statement, by the same rule as the header's count (after the reader's mark,
by others, not hidden, not from someone the reader blocked before it was written)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, shown_name
from app.messages.blocks import blocked_since_clause
from app.messages.models import Message, Participant

SHOWN_MAX = 20  # conversations; the rest are on /nachrichten
ROWS_MAX = 400  # (conversation, writer) pairs read for them


@dataclass(frozen=True)
class Unread:
    """A conversation with unread messages: who wrote them, how many, the newest's time."""

    conversation_id: int
    writers: list[str]
    count: int
    newest: dt.datetime


def unread_conversations(db: Session, reader: Account) -> list[Unread]:
    """The reader's conversations with unread messages, newest first (SHOWN_MAX of them)."""
    newest = func.max(Message.created_at)
    rows = db.execute(
        select(
            Message.conversation_id,
            Account.display_name,
            Account.state,
            func.count(Message.id),
            newest,
        )
        .select_from(Participant)
        .join(
            Message,
            and_(
                Message.conversation_id == Participant.conversation_id,
                Message.id > Participant.read_up_to,
            ),
        )
        .outerjoin(Account, Account.id == Message.author_id)
        .where(
            Participant.account_id == reader.id,
            or_(Message.author_id.is_(None), Message.author_id != reader.id),
            Message.hidden_at.is_(None),
            ~blocked_since_clause(reader.id),
        )
        .group_by(Message.conversation_id, Message.author_id, Account.display_name, Account.state)
        .order_by(newest.desc(), Message.conversation_id.desc())
        .limit(ROWS_MAX)
    ).all()
    found: dict[int, Unread] = {}
    for conversation_id, name, state, count, last in rows:
        entry = found.get(conversation_id)
        if entry is None:
            if len(found) == SHOWN_MAX:
                continue
            entry = found[conversation_id] = Unread(conversation_id, [], 0, last)
        writer = shown_name(name, state)
        if writer not in entry.writers:
            entry.writers.append(writer)
        found[conversation_id] = Unread(
            conversation_id, entry.writers, entry.count + count, max(entry.newest, last)
        )
    return sorted(
        found.values(), key=lambda item: (item.newest, item.conversation_id), reverse=True
    )
