"""The daily mail for members on the digest: how many conversations hold messages they have
not read, never the messages themselves (a job of the worker, app.worker.JOBS)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, MailMode
from app.config import Settings
from app.core.clock import BERLIN, utcnow
from app.messages.blocks import blocked_since_clause
from app.messages.models import Message, Participant
from app.outbox import mail

DIGEST_HOUR = 7  # Europe/Berlin, as the notifications' digest


def send_digests(db: Session, settings: Settings) -> int:
    """Once a day after 7:00 Berlin time: one mail per digest reader with unread messages
    from before 7:00 that no mail told of since they last read the conversation."""
    now = utcnow()
    if now.astimezone(BERLIN).hour < DIGEST_HOUR:
        return 0
    today = dt.datetime.combine(now.astimezone(BERLIN).date(), dt.time(DIGEST_HOUR), BERLIN)
    untold = or_(
        Participant.mailed_at.is_(None),
        and_(Participant.read_at.is_not(None), Participant.read_at >= Participant.mailed_at),
    )
    rows = db.execute(
        select(Participant.account_id, Participant.conversation_id)
        .join(Account, Account.id == Participant.account_id)
        .join(
            Message,
            and_(
                Message.conversation_id == Participant.conversation_id,
                Message.id > Participant.read_up_to,
            ),
        )
        .where(
            Account.mail_mode == MailMode.DIGEST,
            Account.state == AccountState.APPROVED,
            untold,
            Message.created_at < today,
            Message.hidden_at.is_(None),
            or_(Message.author_id.is_(None), Message.author_id != Participant.account_id),
            ~blocked_since_clause(Participant.account_id),
        )
        .distinct()
    ).all()
    waiting: dict[int, list[int]] = {}
    for account_id, conversation_id in rows:
        waiting.setdefault(account_id, []).append(conversation_id)
    for account_id, conversations in waiting.items():
        receiver = db.get(Account, account_id)
        if receiver is None:
            continue
        mail.send(
            db,
            settings,
            to=receiver.email,
            locale=receiver.locale,
            name="message_digest",
            context={"receiver": receiver, "total": len(conversations)},
            about=(receiver.id, mail.About()),
        )
        db.execute(
            update(Participant)
            .where(
                Participant.account_id == account_id,
                Participant.conversation_id.in_(conversations),
            )
            .values(mailed_at=now)
        )
    return len(waiting)
