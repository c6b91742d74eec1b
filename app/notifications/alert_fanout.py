"""Who hears of a new Vorhaben or a stage change through an alert, and their mails.

The fan-out is one INSERT … SELECT in the transaction of the change: the followers of any of
the Vorhaben's (kind, key) pairs (app.notifications.alerts.keys_of), each once (a semi-join:
following the field and the municipality still makes one row), never the actor, only
approved members, and only those who may see the Vorhaben (the choke point's
visible_clause, with the receiver's columns as reader). No Python loop over receivers runs
in the request: immediate mails are sent by the worker (send_mails, a job in app.worker), in
bounded batches, again only for what the receiver may still see; the digest takes the rest,
and the outbox asks delivery_check before any of these mails leaves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, MailMode
from app.config import Settings
from app.core.clock import utcnow
from app.municipalities.models import Municipality
from app.notifications import alerts
from app.notifications.models import ALERT_KINDS, Alert, Notification, NotificationKind
from app.outbox import mail
from app.vorhaben.models import STAGE_LABELS, Follow, Vorhaben
from app.vorhaben.visibility import ReaderColumns, visible_clause

# How many alert notifications one run of the mail job mails at most (the rest next run).
MAIL_BATCH = 500
# Alert notifications older than this are left to the list (a member who turns immediate
# mails on does not get a mail for every alert of the past).
MAIL_WINDOW = dt.timedelta(days=1)

_RECEIVER = ReaderColumns(Account.id, Account.municipality_id)


def fan_out(db: Session, vorhaben: Vorhaben, actor_id: int, kind: NotificationKind) -> int:
    """Notify every follower of the Vorhaben's fields, tags and places who may see it;
    for a stage change, not those who follow the Vorhaben itself (they hear of it as
    followers). Returns the number of notifications made."""
    keys = alerts.keys_of(db, vorhaben)
    matches = [
        and_(Alert.kind == key_kind, Alert.key.in_(values)) for key_kind, values in keys.items()
    ]
    if not matches:
        return 0
    table = Notification.__table__
    receivers = (
        select(
            Account.id,
            literal(kind, table.c.kind.type),
            literal(vorhaben.id, table.c.vorhaben_id.type),
            literal(actor_id, table.c.actor_id.type),
            literal(utcnow(), table.c.created_at.type),
        )
        .select_from(Account)
        .join(Vorhaben, Vorhaben.id == vorhaben.id)
        .where(
            Account.id.in_(select(Alert.account_id).where(or_(*matches))),
            Account.id != actor_id,
            Account.state == AccountState.APPROVED,
            visible_clause(_RECEIVER),
        )
    )
    if kind is NotificationKind.ALERT_STAGE:
        receivers = receivers.where(
            ~exists().where(Follow.account_id == Account.id, Follow.vorhaben_id == vorhaben.id)
        )
    result = db.execute(
        insert(Notification).from_select(
            ["account_id", "kind", "vorhaben_id", "actor_id", "created_at"], receivers
        )
    )
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


def send_mails(db: Session, settings: Settings) -> int:
    """The worker's job: mail the alert notifications of members who chose immediate mails,
    at most MAIL_BATCH a run, each only while the receiver may see its Vorhaben.

    Two steps, so that no plan joins every Vorhaben to every pending notification (which
    PostgreSQL chose with the statistics of before a large fan-out): first the batch, by
    the receivers' index on (account, created), then what of it may be mailed. Each alert
    notification is looked at once: what the receiver may not see is not mailed, and not
    looked at again."""
    now = utcnow()
    batch = list(
        db.scalars(
            select(Notification.id)
            .join(Account, Account.id == Notification.account_id)
            .where(
                Account.mail_mode == MailMode.IMMEDIATE,
                Account.state == AccountState.APPROVED,
                Notification.created_at >= now - MAIL_WINDOW,
                Notification.kind.in_(ALERT_KINDS),
                Notification.mailed_at.is_(None),
            )
            .order_by(Notification.id)
            .limit(MAIL_BATCH)
        )
    )
    if not batch:
        return 0
    rows = db.execute(
        select(Notification, Account, Vorhaben, Municipality.name)
        .join(Account, Account.id == Notification.account_id)
        .join(Vorhaben, Vorhaben.id == Notification.vorhaben_id)
        .join(Municipality, Municipality.id == Vorhaben.municipality_id)
        .where(Notification.id.in_(batch), visible_clause(_RECEIVER))
        .order_by(Notification.id)
    ).all()
    for row in rows:
        notification, receiver, vorhaben = row.Notification, row.Account, row.Vorhaben
        mail.send(
            db,
            settings,
            to=receiver.email,
            locale=receiver.locale,
            name="notification",
            context={
                "receiver": receiver,
                "kind": notification.kind.value,
                "vorhaben": vorhaben,
                "municipality": row.name,
                "stage": STAGE_LABELS[vorhaben.stage],
                "path": f"/vorhaben/{vorhaben.id}",
            },
            about=(receiver.id, mail.About(vorhaben=[vorhaben.id])),
        )
    db.execute(update(Notification).where(Notification.id.in_(batch)).values(mailed_at=now))
    return len(rows)
