"""@mentions in direct messages: the completion suggests only the conversation's other
participants (never anyone else, so it cannot be used to learn who exists), and an erased
member's name leaves the messages that mention them.

A mention is written and rendered as everywhere (app.notifications.mentions.syntax, a
profile link through the Markdown sanitizer). It sends no notice of its own: whoever it
names in a conversation already hears of the message (the header count, the notifications
page, the mail by their setting), and a second notice for the same message would only
repeat the first; someone outside the conversation is not told (and reads nothing)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.auth.deps import Member
from app.core import markdown
from app.i18n import gettext as _
from app.messages import service as messages
from app.messages.models import Message, Participant
from app.notifications import mention_page, mentions
from app.web import routing
from app.web.deps import DbSession

router = routing.router(include_in_schema=False)


def candidates(
    db: Session, reader: Account, conversation_id: int, query: str
) -> list[mentions.Candidate]:
    """The conversation's other approved participants whose name contains `query` (the
    reader must take part: 404 otherwise)."""
    if not messages.takes_part(db, reader, conversation_id):
        raise messages.not_found()
    words = " ".join(query.split())[: mentions.QUERY_MAX].lower()
    if not words:
        return []
    rows = db.scalars(
        select(Account)
        .join(Participant, Participant.account_id == Account.id)
        .where(
            Participant.conversation_id == conversation_id,
            Account.id != reader.id,
            Account.state == AccountState.APPROVED,
            func.lower(Account.display_name).contains(words, autoescape=True),
        )
        .order_by(Account.display_name, Account.id)
        .limit(mentions.SUGGESTIONS)
    )
    return [
        mentions.Candidate(
            account.id, account.display_name, "", mentions.syntax(account.display_name, account.id)
        )
        for account in rows
    ]


def forget_name(db: Session, account_id: int) -> None:
    """The erased member's name leaves the messages that mention them (the link stays,
    its text becomes "Ehemaliges Mitglied"), as in comments."""
    target = f"](/mitglieder/{account_id})"
    for message in db.scalars(
        select(Message).where(Message.body.contains(target, autoescape=True))
    ):
        changed = mentions.without_name(message.body, account_id)
        if changed != message.body:
            message.body = changed
            message.body_html = markdown.render(changed)
    db.flush()


@router.get("/nachrichten/{conversation_id:id}/erwaehnen")
def suggestions(
    request: Request,
    conversation_id: int,
    member: Member,
    db: DbSession,
    q: Annotated[str, Query(max_length=mentions.QUERY_MAX)] = "",
) -> Response:
    """Participants to mention in a conversation (404 for anyone outside it): the reply
    form's finder loads the list (htmx); without JavaScript a page shows what to type."""
    return mention_page.answer(
        request,
        heading=_("Beteiligte erwähnen"),
        query=q,
        candidates=candidates(db, member, conversation_id, q),
        url=f"/nachrichten/{conversation_id}/erwaehnen",
        back_href=f"/nachrichten/{conversation_id}#antworten",
        back_text=_("Zurück zur Unterhaltung"),
        explain=_(
            "Vorgeschlagen werden nur die Beteiligten dieser Unterhaltung. Schreiben Sie die "
            "angezeigte Zeichenfolge in Ihre Nachricht: Sie wird zum Link auf das Profil."
        ),
        nobody=_("Niemand in dieser Unterhaltung gefunden."),
        nav="messages",
    )
