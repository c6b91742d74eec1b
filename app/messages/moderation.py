"""Reports of messages and what the moderators do with them.

A participant reports a message of someone else. A moderator reads a conversation only
while one of its messages has an open report (PRODUCT.md invariant 5): through
visibility.moderator_reads with the grant "open_report", which records the view as an audit
event. The decision (dismiss the reports, or hide the message) is audited too; nobody
decides on their own message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Account, shown_name
from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.fields import checked_text, reason_text
from app.i18n import gettext as _
from app.messages import service
from app.messages.models import Message, MessageReport, Participant, ReportState
from app.vorhaben.visibility import moderator_reads

TEXT_MAX = 2000
DECISIONS = ("dismiss", "hide")


def report(db: Session, reporter: Account, message_id: int, text: str) -> MessageReport:
    """A participant reports someone else's message (once)."""
    message = db.get(Message, message_id)
    if message is None or not service.takes_part(db, reporter, message.conversation_id):
        raise NotFound(_("Diese Nachricht gibt es nicht."))
    if message.author_id == reporter.id:
        raise Forbidden(_("Eigene Nachrichten können Sie nicht melden."))
    body = checked_text("text", text, limit=TEXT_MAX)
    entry = MessageReport(
        message_id=message.id,
        conversation_id=message.conversation_id,
        reporter_id=reporter.id,
        text=body,
    )
    try:
        with db.begin_nested():
            db.add(entry)
    except IntegrityError:
        raise Conflict(_("Sie haben diese Nachricht bereits gemeldet.")) from None
    return entry


@dataclass(frozen=True)
class OpenReport:
    id: int
    conversation_id: int
    message_id: int
    reporter: str
    text: str
    created_at: Any


def open_reports(db: Session) -> list[OpenReport]:
    """Open reports of messages, oldest first (the queue names no message text)."""
    reporter = aliased(Account)
    rows = db.execute(
        select(MessageReport, reporter.display_name, reporter.state)
        .outerjoin(reporter, reporter.id == MessageReport.reporter_id)
        .where(MessageReport.state == ReportState.OPEN)
        .order_by(MessageReport.created_at, MessageReport.id)
    ).all()
    return [
        OpenReport(
            entry.id,
            entry.conversation_id,
            entry.message_id,
            shown_name(name, state),
            entry.text,
            entry.created_at,
        )
        for entry, name, state in rows
    ]


def _open_in(db: Session, conversation_id: int) -> list[MessageReport]:
    return list(
        db.scalars(
            select(MessageReport)
            .where(
                MessageReport.conversation_id == conversation_id,
                MessageReport.state == ReportState.OPEN,
            )
            .order_by(MessageReport.id)
        )
    )


def has_open_report(db: Session, conversation_id: int) -> bool:
    """Whether a message of the conversation has an open report (the moderators' grant)."""
    return bool(_open_in(db, conversation_id))


def for_moderator(
    db: Session, moderator: Account, conversation_id: int
) -> tuple[service.ConversationView, list[MessageReport]]:
    """A reported conversation as the moderators read it (404 without an open report);
    the view is an audit event unless the moderator takes part anyway."""
    reports = _open_in(db, conversation_id)
    moderator_reads(
        db,
        moderator,
        readable=service.takes_part(db, moderator, conversation_id),
        grant="open_report" if reports else None,
        object_type="conversation",
        object_id=conversation_id,
    )
    return service.read_as_moderator(db, conversation_id), reports


def decide(
    db: Session, moderator: Account, report_id: int, decision: str, reason: str
) -> MessageReport:
    """Dismiss the open reports of a message, or hide it (a reason is then required)."""
    entry = db.get(MessageReport, report_id)
    if entry is None or not moderator.is_moderator:
        raise NotFound(_("Diese Meldung gibt es nicht."))
    if entry.state is not ReportState.OPEN:
        raise Conflict(_("Über diese Meldung ist schon entschieden."))
    message = db.get(Message, entry.message_id)
    if message is None:
        raise NotFound(_("Diese Nachricht gibt es nicht."))
    if message.author_id == moderator.id:
        raise Forbidden(_("Über Meldungen eigener Nachrichten entscheidet jemand anderes."))
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": _("Bitte wählen Sie eine Entscheidung.")})
    text = reason_text(reason, required=decision == "hide")
    now = utcnow()
    state = ReportState.DISMISSED if decision == "dismiss" else ReportState.ACTIONED
    db.execute(
        update(MessageReport)
        .where(MessageReport.message_id == message.id, MessageReport.state == ReportState.OPEN)
        .values(state=state, decided_at=now, decided_by_id=moderator.id)
    )
    if decision == "hide":
        message.hidden_at = now
        message.hidden_reason = text
    audit.record(
        db,
        "message_hidden" if decision == "hide" else "message_reports_dismissed",
        actor_id=moderator.id,
        object_type="message",
        object_id=message.id,
        subject_id=message.author_id,
        reason=text or None,
        conversation_id=message.conversation_id,
    )
    db.flush()
    return entry


def forget_reporter(db: Session, account_id: int) -> None:
    """An erased reporter's words go; the report stays (it is the moderators' record)."""
    db.execute(update(MessageReport).where(MessageReport.reporter_id == account_id).values(text=""))


def leave_all(db: Session, account_id: int) -> None:
    """An erased account takes part in nothing any more; its messages stay, under
    "Ehemaliges Mitglied" (as comments do)."""
    db.execute(delete(Participant).where(Participant.account_id == account_id))


def conversation_of(db: Session, report_id: int) -> int:
    """The conversation a report belongs to (404 if there is no such report)."""
    entry = db.get(MessageReport, report_id)
    if entry is None:
        raise NotFound(_("Diese Meldung gibt es nicht."))
    return entry.conversation_id
