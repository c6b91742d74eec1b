"""Data-protection rights: access (Art. 15 DSGVO) and erasure (Art. 17 DSGVO).

The export holds everything about the person and no other member's identifiers: whoever
else appears (a moderator who decided, someone who replied) is named by role only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app import events
from app.account import preferences
from app.accounts.models import FORMER_MEMBER, Account, AccountState, Identity, MailMode, Role
from app.attachments.models import Attachment
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import AuthSession
from app.circles.models import Circle, CircleMembership, Topic
from app.comments.models import Comment, CommentRevision
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden
from app.dates.models import CalendarFeed, Termin
from app.i18n import N_
from app.i18n import gettext as _
from app.membership.models import Application, ApplicationEvent, MembershipChange
from app.messages import service as messages
from app.moderation.models import Report
from app.notifications.models import Alert, Notification
from app.outbox.models import Channel, OutboxMessage
from app.vorhaben.co_editors import VorhabenCoEditor
from app.vorhaben.models import (
    Follow,
    Interest,
    Signal,
    Vorhaben,
    VorhabenContact,
    VorhabenVersion,
    VorhabenVersionContact,
)

FRESH_SIGN_IN = dt.timedelta(minutes=10)


def is_fresh(session: AuthSession | None) -> bool:
    """Whether the person signed in within the last ten minutes."""
    return (
        session is not None
        and session.auth_time is not None
        and utcnow() - session.auth_time <= FRESH_SIGN_IN
    )


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(db: Session, account: Account) -> dict[str, Any]:
    """Everything Allmende holds about one person, as plain data."""
    municipality = account.municipality_id
    chosen = preferences.settings_of(db, account.id)
    data: dict[str, Any] = {
        "format": "allmende-datenauskunft/1",
        "created": _iso(utcnow()),
        "profile": {
            "id": account.id,
            "display_name": account.display_name,
            "email": account.email,
            "email_verified": account.email_verified,
            "position": account.position,
            "municipality_id": municipality,
            "role": account.role.value,
            "state": account.state.value,
            "state_reason": account.state_reason,
            "locale": account.locale,
            "mail_mode": account.mail_mode.value,
            "notify_municipality_signals": chosen.municipality_signals,
            "notify_municipality_comments": chosen.municipality_comments,
            "created_at": _iso(account.created_at),
            "approved_at": _iso(account.approved_at),
            "last_login_at": _iso(account.last_login_at),
        },
        "identities": [
            {
                "provider": row.provider,
                "issuer": row.issuer,
                "subject": row.subject,
                "email": row.email,
                "email_verified": row.email_verified,
                "claims": row.claims,
                "created_at": _iso(row.created_at),
                "last_login_at": _iso(row.last_login_at),
            }
            for row in db.scalars(select(Identity).where(Identity.account_id == account.id))
        ],
        "sessions": [
            {
                "created_at": _iso(row.created_at),
                "last_seen_at": _iso(row.last_seen_at),
                "expires_at": _iso(row.expires_at),
                "user_agent": row.user_agent,
                "provider": row.provider,
            }
            for row in db.scalars(select(AuthSession).where(AuthSession.account_id == account.id))
        ],
        "applications": [],
        "membership_changes": [
            {
                "from_municipality_id": change.from_municipality_id,
                "to_municipality_id": change.to_municipality_id,
                "from_position": change.from_position,
                "to_position": change.to_position,
                "reason": change.reason,
                "state": change.state.value,
                "created_at": _iso(change.created_at),
                "decided_at": _iso(change.decided_at),
                "decision_reason": change.decision_reason,
            }
            for change in db.scalars(
                select(MembershipChange)
                .where(MembershipChange.account_id == account.id)
                .order_by(MembershipChange.id)
            )
        ],
        "vorhaben": [],
        "comments": [],
        "signals": [],
        "follows": [],
        "circles": [],
        "interests": list(
            db.scalars(select(Interest.field_id).where(Interest.account_id == account.id))
        ),
        "notifications": [],
        "alerts": [
            {"kind": row.kind.value, "key": row.key, "created_at": _iso(row.created_at)}
            for row in db.scalars(select(Alert).where(Alert.account_id == account.id))
        ],
        "moderation": [],
        "audit_events": [],
    }
    for application in db.scalars(select(Application).where(Application.account_id == account.id)):
        events = db.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id)
        )
        data["applications"].append(
            {
                "municipality_id": application.municipality_id,
                "position": application.position,
                "reason": application.reason,
                "state": application.state.value,
                "claims": application.claims,
                "email_domain": application.email_domain,
                "created_at": _iso(application.created_at),
                "decided_at": _iso(application.decided_at),
                "history": [
                    {
                        "event": event.kind.value,
                        "message": event.message,
                        "by": "ich"
                        if event.actor_id == account.id
                        else ("Moderation" if event.actor_id else "System"),
                        "at": _iso(event.created_at),
                    }
                    for event in events
                ],
            }
        )
    for vorhaben in db.scalars(select(Vorhaben).where(Vorhaben.author_id == account.id)):
        data["vorhaben"].append(
            {
                "id": vorhaben.id,
                "title": vorhaben.title,
                "summary": vorhaben.summary,
                "description": vorhaben.description,
                "stage": vorhaben.stage.value,
                "visibility": vorhaben.visibility.value,
                "created_at": _iso(vorhaben.created_at),
                "hidden_reason": vorhaben.hidden_reason,
            }
        )
    # A comment on a circle's topic names the topic and the circle it was written in.
    for comment, topic, circle in db.execute(
        select(Comment, Topic.title, Circle)
        .outerjoin(Topic, Topic.id == Comment.topic_id)
        .outerjoin(Circle, Circle.id == Topic.circle_id)
        .where(Comment.author_id == account.id)
        .order_by(Comment.id)
    ):
        revisions = db.scalars(
            select(CommentRevision.body).where(CommentRevision.comment_id == comment.id)
        )
        data["comments"].append(
            {
                "id": comment.id,
                "vorhaben_id": comment.vorhaben_id,
                "topic_id": comment.topic_id,
                "topic": topic,
                "circle_id": circle.id if circle is not None else None,
                "circle": circle.name if circle is not None else None,
                "body": comment.body,
                "created_at": _iso(comment.created_at),
                "edited_at": _iso(comment.edited_at),
                "deleted_at": _iso(comment.deleted_at),
                "hidden_reason": comment.hidden_reason,
                "earlier_versions": list(revisions),
            }
        )
    data["attachments"] = [
        {
            "id": row.id,
            "vorhaben_id": row.vorhaben_id,
            "topic_id": row.topic_id,
            "comment_id": row.comment_id,
            "name": row.display_name,
            "kind": row.kind,
            "size": row.size,
            "sha256": row.sha256,
            "created_at": _iso(row.created_at),
        }
        for row in db.scalars(select(Attachment).where(Attachment.uploader_id == account.id))
    ]
    data["messages"] = messages.written_by(db, account.id)
    data["termine"] = [
        {
            "id": row.id,
            "vorhaben_id": row.vorhaben_id,
            "circle_id": row.circle_id,
            "topic_id": row.topic_id,
            "kind": row.kind.value,
            "title": row.title,
            "starts_at": _iso(row.starts_at),
            "ends_at": _iso(row.ends_at),
            "all_day": row.all_day,
            "place": row.place,
            "link": row.link,
            "note": row.note,
            "created_at": _iso(row.created_at),
        }
        for row in db.scalars(select(Termin).where(Termin.author_id == account.id))
    ]
    # Only that the address exists and since when: its token is not kept (only a hash).
    data["calendar_feed"] = [
        {"created_at": _iso(row.created_at)}
        for row in db.scalars(select(CalendarFeed).where(CalendarFeed.account_id == account.id))
    ]
    data["signals"] = [
        {
            "vorhaben_id": row.vorhaben_id,
            "kind": row.kind.value,
            "note": row.note,
            "created_at": _iso(row.created_at),
        }
        for row in db.scalars(select(Signal).where(Signal.account_id == account.id))
    ]
    data["follows"] = [
        {"vorhaben_id": row.vorhaben_id, "since": _iso(row.created_at)}
        for row in db.scalars(select(Follow).where(Follow.account_id == account.id))
    ]
    data["circles"] = [
        {
            "circle_id": row.circle_id,
            "name": name,
            "role": row.role.value,
            "state": row.state.value,
            "since": _iso(row.created_at),
        }
        for row, name in db.execute(
            select(CircleMembership, Circle.name)
            .join(Circle, Circle.id == CircleMembership.circle_id)
            .where(CircleMembership.account_id == account.id)
        )
    ]
    data["notifications"] = [
        {
            "kind": row.kind.value,
            "vorhaben_id": row.vorhaben_id,
            "created_at": _iso(row.created_at),
            "read_at": _iso(row.read_at),
        }
        for row in db.scalars(select(Notification).where(Notification.account_id == account.id))
    ]
    data["moderation"] = [
        {
            "about": row.target_type.value,
            "target_id": row.target_id,
            "category": row.category.value,
            "state": row.state.value,
            "decision": row.decision,
            "decided_at": _iso(row.decided_at),
        }
        for row in db.scalars(
            select(Report).where(
                (
                    (Report.target_type == "vorhaben")
                    & Report.target_id.in_(
                        select(Vorhaben.id).where(Vorhaben.author_id == account.id)
                    )
                )
                | (
                    (Report.target_type == "comment")
                    & Report.target_id.in_(
                        select(Comment.id).where(Comment.author_id == account.id)
                    )
                )
            )
        )
    ]
    data["reports_filed"] = [
        {
            "about": row.target_type.value,
            "target_id": row.target_id,
            "category": row.category.value,
            "text": row.text,
            "created_at": _iso(row.created_at),
        }
        for row in db.scalars(select(Report).where(Report.reporter_id == account.id))
    ]
    data["audit_events"] = [
        {
            "action": row.action,
            "at": _iso(row.created_at),
            "reason": row.reason,
            "by": "ich"
            if row.actor_id == account.id
            else ("Moderation" if row.actor_id else "System"),
        }
        for row in db.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == account.id).order_by(AuditEvent.id)
        )
    ]
    return data


# What the data page counts from the export, in the order it lists them.
SUMMARY = (
    ("identities", N_("Verknüpfungen mit Identitätsdiensten")),
    ("sessions", N_("Sitzungen (angemeldete Geräte)")),
    ("applications", N_("Mitgliedsanträge")),
    ("membership_changes", N_("Beantragte Wechsel von Kommune oder Funktion")),
    ("vorhaben", N_("Vorhaben, die Sie angelegt haben")),
    ("comments", N_("Kommentare")),
    ("attachments", N_("Anhänge, die Sie hochgeladen haben")),
    ("messages", N_("Nachrichten, die Sie geschrieben haben")),
    ("termine", N_("Termine, die Sie eingetragen haben")),
    ("calendar_feed", N_("Kalender-Abonnement (die Adresse selbst wird nicht gespeichert)")),
    ("signals", N_("Signale Ihrer Kommune, die Sie gesetzt haben")),
    ("follows", N_("Vorhaben, denen Sie folgen")),
    ("circles", N_("Ihre Kreise (auch Einladungen und Anfragen)")),
    ("interests", N_("Handlungsfelder, die Sie interessieren")),
    ("notifications", N_("Benachrichtigungen")),
    ("reports_filed", N_("Meldungen, die Sie eingereicht haben")),
    ("moderation", N_("Meldungen zu Ihren Beiträgen")),
    ("audit_events", N_("Protokolleinträge, die Sie betreffen")),
)


def summary(db: Session, account: Account) -> list[tuple[str, int]]:
    """How many entries of each kind the export holds (the data page's overview)."""
    data = export(db, account)
    return [(label, len(data.get(key, ()))) for key, label in SUMMARY]


def _forget_in_copies(db: Session, account: Account) -> None:
    """Remove the name and address from the copies that outlive the profile: version
    snapshots naming the person as a contact (found by who they are, so an earlier name the
    identity provider has changed since goes too) and mails to them still in the outbox.
    Released publication versions are the export layer's (app.export.erasure)."""
    versions = db.scalars(
        select(VorhabenVersion)
        .join(VorhabenVersionContact, VorhabenVersionContact.version_id == VorhabenVersion.id)
        .where(VorhabenVersionContact.account_id == account.id)
    )
    for version in versions:
        contacts = [
            {**entry, "name": None} if entry.get("id") == account.id else entry
            for entry in version.snapshot.get("contacts") or []
        ]
        # A new dict, so the JSON column sees the change.
        version.snapshot = {**version.snapshot, "contacts": contacts}
    email = account.email
    if not email:
        return
    db.execute(
        delete(OutboxMessage).where(
            OutboxMessage.channel == Channel.MAIL,
            OutboxMessage.payload["to"].as_string() == email,
        )
    )


def erase(
    db: Session, settings: Settings, account: Account, *, actor: Account, reason: str = ""
) -> None:
    """Erase a person: sessions and SSO links end, the profile is cleared, contributions
    stay as "Ehemaliges Mitglied", public contacts are withdrawn in a new version (the
    export reacts to AccountErased, app.wiring)."""
    if actor.id != account.id and not actor.is_admin:
        raise Forbidden(_("Konten anderer Personen löscht nur die Verwaltung."))
    if account.state is AccountState.ERASED:
        return
    account_id = account.id
    _forget_in_copies(db, account)
    sessions.end_all(db, account_id)
    # While name and mail are still there: what was published about them is found by them.
    events.publish(db, events.AccountErased(settings, account_id))
    for table in (
        Identity,
        Follow,
        Interest,
        Alert,
        Notification,
        VorhabenContact,
        VorhabenCoEditor,
        CircleMembership,
    ):
        db.execute(delete(table).where(table.account_id == account_id))
    db.execute(
        update(Application)
        .where(Application.account_id == account_id)
        .values(position="", reason="", claims={}, email_domain=None)
    )
    db.execute(
        update(ApplicationEvent)
        .where(
            ApplicationEvent.application_id.in_(
                select(Application.id).where(Application.account_id == account_id)
            )
        )
        .values(message="")
    )
    db.execute(
        update(MembershipChange)
        .where(MembershipChange.account_id == account_id)
        .values(from_position=None, to_position=None, reason="", decision_reason=None)
    )
    db.execute(update(Report).where(Report.reporter_id == account_id).values(text=""))
    account.display_name = FORMER_MEMBER
    account.email = None
    account.email_verified = False
    account.position = None
    account.state = AccountState.ERASED
    account.state_reason = None
    account.role = Role.MEMBER
    account.local_contact = False
    account.mail_mode = MailMode.OFF
    account.last_login_at = None
    # The minimal record that remains: that this account was erased, when, by whom.
    audit.record(
        db,
        "account_erased",
        actor_id=None if actor.id == account_id else actor.id,
        object_type="account",
        object_id=account_id,
        subject_id=account_id,
        reason=reason or None,
        by="self" if actor.id == account_id else "admin",
    )
    db.flush()
