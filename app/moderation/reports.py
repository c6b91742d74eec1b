"""Reports, automatic hiding after reports from several municipalities, and the moderators'
decisions: dismiss, hide, restore, lock, unlock, suspend the author. Every decision is
audited and told to the author (a dismissal changes nothing for the author, so it is told to
the reporters instead; every decision that closes reports tells their reporters the outcome);
nobody moderates their own content."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.comments import links as comment_links
from app.comments.models import Comment
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.fields import check_text, reason_text
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import accounts
from app.membership import service as membership
from app.moderation.models import Category, Report, ReportState, TargetType
from app.moderation.targets import Target, for_reader, load_target, readable
from app.outbox import mail
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see_topic, moderator_reads, shared_with

ACTIONS = ("dismiss", "hide", "restore", "lock", "unlock", "suspend")
TEXT_MAX = 2000
# Stored as the hidden reason in German (like a moderator's reason, it is data); the
# templates translate it where it is shown.
AUTO_HIDE_REASON = N_(
    "Vorläufig ausgeblendet: Mitglieder mehrerer Kommunen haben den Beitrag gemeldet. "
    "Die Moderation entscheidet."
)


def grant(db: Session, target: Target) -> str | None:
    """What makes a target the moderators' to read even where they could not see it as
    members: open reports on it, or its author's request for review of it hidden."""
    if _has_open_reports(db, target):
        return "open_report"
    if target.hidden and target.review_requested:
        return "review_request"
    return None


def for_moderator(
    db: Session, moderator: Account, target_type: str, target_id: int, *, viewing: bool = True
) -> Target:
    """A target the moderator may read (404 otherwise); a view of restricted content is
    audited (`viewing`; a decision is audited as such)."""
    target = load_target(db, target_type, target_id)
    moderator_reads(
        db,
        moderator,
        readable=readable(moderator, target),
        grant=grant(db, target),
        object_type=target.type.value,
        object_id=target.id,
        record=viewing,
    )
    return target


def report(
    db: Session,
    settings: Settings,
    reporter: Account,
    target_type: str,
    target_id: int,
    category: str,
    text: str,
) -> Report:
    """File a report (one per member and target); may hide the target automatically."""
    target = for_reader(db, reporter, target_type, target_id)
    if target.author_id == reporter.id:
        raise Forbidden(
            _("Eigene Beiträge können Sie bearbeiten oder löschen statt sie zu melden.")
        )
    errors: dict[str, str] = {}
    if category not in {value.value for value in Category}:
        errors["category"] = _("Bitte wählen Sie einen Grund.")
    body = check_text(errors, "text", text, limit=TEXT_MAX)
    if errors:
        raise ValidationFailed(errors)
    entry = Report(
        target_type=target.type,
        target_id=target.id,
        vorhaben_id=target.vorhaben_id,
        reporter_id=reporter.id,
        reporter_municipality_id=reporter.municipality_id,
        category=Category(category),
        text=body,
    )
    try:
        with db.begin_nested():
            db.add(entry)
    except IntegrityError:
        raise Conflict(_("Sie haben diesen Beitrag bereits gemeldet.")) from None
    municipalities = (
        db.scalar(
            select(func.count(func.distinct(Report.reporter_municipality_id))).where(
                Report.target_type == target.type,
                Report.target_id == target.id,
                Report.state == ReportState.OPEN,
            )
        )
        or 0
    )
    if municipalities >= settings.report_hide_threshold and not target.hidden:
        _hide(
            db,
            settings,
            target,
            None,
            AUTO_HIDE_REASON,
        )
    _tell_moderators(db, settings, target, "report_filed", {"report": entry})
    db.flush()
    return entry


def _tell_moderators(
    db: Session, settings: Settings, target: Target, name: str, context: dict[str, object]
) -> None:
    """Mail every moderator the link; the title only to those who may see it as members
    (the rest read it on the page, where the view is audited)."""
    for moderator in membership.moderators(db):
        shown = readable(moderator, target)
        mail.send(
            db,
            settings,
            to=moderator.email,
            locale=moderator.locale,
            name=name,
            context={"receiver": moderator, "target": target, "show_title": shown, **context},
            about=(moderator.id, _title_about(target)) if shown else None,
        )


def _title_about(target: Target) -> mail.About:
    """What a mail naming only the title of the target's Vorhaben or topic shows."""
    if target.topic is not None:
        return mail.About(topics=[target.topic.id])
    return mail.About(vorhaben=[target.required_vorhaben.id])


def _about(target: Target) -> mail.About:
    """What a mail naming this target shows: the title of its Vorhaben or topic (the
    topic is checked through its comment)."""
    if target.topic is not None:
        return mail.About(topics=[target.topic.id])
    return mail.About(
        vorhaben=[target.required_vorhaben.id],
        comments=[target.comment.id] if target.comment is not None else [],
    )


def _item(target: Target) -> Vorhaben | Comment:
    return target.comment if target.comment is not None else target.required_vorhaben


def _hide(
    db: Session, settings: Settings, target: Target, actor: Account | None, reason: str
) -> None:
    item = _item(target)
    item.hidden_at = utcnow()
    item.hidden_reason = reason
    item.review_requested_at = None
    if target.comment is not None:
        events.publish(db, events.CommentChanged(target.comment.id))
    else:
        why, actor_id = "Von der Moderation ausgeblendet.", actor.id if actor else None
        events.publish(
            db, events.VorhabenGoingAway(settings, target.required_vorhaben.id, actor_id, why)
        )
    audit.record(
        db,
        "content_hidden" if actor else "content_auto_hidden",
        actor_id=actor.id if actor else None,
        object_type=target.type.value,
        object_id=target.id,
        subject_id=target.author_id,
        reason=reason,
    )
    _tell_author(db, settings, target, "hidden", reason)


def _restore(db: Session, settings: Settings, target: Target, actor: Account, reason: str) -> None:
    item = _item(target)
    item.hidden_at = None
    item.hidden_reason = None
    item.review_requested_at = None
    if target.comment is not None:
        events.publish(db, events.CommentChanged(target.comment.id))
    audit.record(
        db,
        "content_restored",
        actor_id=actor.id,
        object_type=target.type.value,
        object_id=target.id,
        subject_id=target.author_id,
        reason=reason or None,
    )
    _tell_author(db, settings, target, "restored", reason)


def _path(target: Target) -> str:
    """Where the author finds the content: a comment by its lasting address, which leads to
    the page of its discussion that holds it when the mail is read."""
    if target.comment is not None:
        return comment_links.permanent(target.comment.id)
    return f"/vorhaben/{target.required_vorhaben.id}"


def _tell_author(db: Session, settings: Settings, target: Target, change: str, reason: str) -> None:
    author = db.get(Account, target.author_id) if target.author_id else None
    if author is None or not author.is_member:
        return
    mail.send(
        db,
        settings,
        to=author.email,
        locale=author.locale,
        name=f"content_{change}",
        context={"receiver": author, "target": target, "reason": reason, "path": _path(target)},
        about=(author.id, _about(target)),
    )


def decide(
    db: Session,
    settings: Settings,
    moderator: Account,
    target_type: str,
    target_id: int,
    action: str,
    reason: str,
) -> Target:
    """Carry out a moderation decision on a reported (or any) Vorhaben or comment (on a
    Vorhaben or a circle's topic)."""
    if action not in ACTIONS:
        raise ValidationFailed({"action": _("Bitte wählen Sie eine Maßnahme.")})
    text = reason_text(reason, required=action in {"hide", "suspend"})
    target = for_moderator(db, moderator, target_type, target_id, viewing=False)
    # Locking acts on the whole discussion, so it is the Vorhaben's author's content too.
    if target.author_id == moderator.id or (
        action in {"lock", "unlock"}
        and target.vorhaben is not None
        and target.vorhaben.author_id == moderator.id
    ):
        raise Forbidden(_("Über eigene Beiträge entscheidet eine andere Person der Moderation."))
    reporters = _open_reporters(db, target)
    _check_applies(db, target, action)
    if action == "hide":
        if target.hidden:
            target_item = _item(target)
            target_item.hidden_reason = text
            target_item.review_requested_at = None
            audit.record(
                db,
                "content_hidden",
                actor_id=moderator.id,
                object_type=target.type.value,
                object_id=target.id,
                subject_id=target.author_id,
                reason=text,
            )
            _tell_author(db, settings, target, "hidden", text)
        else:
            _hide(db, settings, target, moderator, text)
    elif action in {"restore", "dismiss"}:
        if target.hidden:
            _restore(db, settings, target, moderator, text)
        elif action == "dismiss":
            audit.record(
                db,
                "reports_dismissed",
                actor_id=moderator.id,
                object_type=target.type.value,
                object_id=target.id,
                subject_id=target.author_id,
                reason=text or None,
            )
    elif action in {"lock", "unlock"}:  # _check_applies made sure it is on a Vorhaben
        vorhaben = target.required_vorhaben
        vorhaben.locked_at = utcnow() if action == "lock" else None
        audit.record(
            db,
            f"thread_{action}ed",
            actor_id=moderator.id,
            object_type="vorhaben",
            object_id=vorhaben.id,
            subject_id=vorhaben.author_id,
            reason=text or None,
        )
        _tell_author(db, settings, Target(TargetType.VORHABEN, vorhaben, None), f"{action}ed", text)
    elif action == "suspend" and target.author_id is not None:  # _check_applies made sure
        accounts.suspend(db, settings, moderator, target.author_id, text)
        if not target.hidden:
            _hide(db, settings, target, moderator, text)
    outcome = ReportState.DISMISSED if action == "dismiss" else ReportState.ACTIONED
    db.execute(
        update(Report)
        .where(
            Report.target_type == target.type,
            Report.target_id == target.id,
            Report.state == ReportState.OPEN,
        )
        .values(state=outcome, decided_at=utcnow(), decided_by_id=moderator.id, decision=action)
    )
    _tell_reporters(db, settings, target, reporters, action, text)
    db.flush()
    return target


def _check_applies(db: Session, target: Target, action: str) -> None:
    """Refuse a measure that would change nothing (it would still be audited and mailed)."""
    problem = None
    locked = target.locked
    if action in {"lock", "unlock"} and target.vorhaben is None:
        problem = _("Nur die Diskussion zu einem Vorhaben lässt sich schließen.")
    elif action == "restore" and not target.hidden:
        problem = _("Der Beitrag ist nicht ausgeblendet.")
    elif action == "dismiss" and not target.hidden and not _has_open_reports(db, target):
        problem = _("Zu diesem Beitrag gibt es keine offenen Meldungen.")
    elif action == "lock" and locked:
        problem = _("Die Diskussion ist bereits geschlossen.")
    elif action == "unlock" and not locked:
        problem = _("Die Diskussion ist nicht geschlossen.")
    elif action == "suspend":
        author = db.get(Account, target.author_id) if target.author_id else None
        if author is None or not author.is_member:
            problem = _("Die Autorin oder der Autor ist nicht (mehr) freigeschaltet.")
    if problem:
        raise ValidationFailed({"action": problem})


def _has_open_reports(db: Session, target: Target) -> bool:
    return bool(
        db.scalar(
            select(func.count())
            .select_from(Report)
            .where(
                Report.target_type == target.type,
                Report.target_id == target.id,
                Report.state == ReportState.OPEN,
            )
        )
    )


def _open_reporters(db: Session, target: Target) -> list[Account]:
    return list(
        db.scalars(
            select(Account)
            .join(Report, Report.reporter_id == Account.id)
            .where(
                Report.target_type == target.type,
                Report.target_id == target.id,
                Report.state == ReportState.OPEN,
            )
            .order_by(Account.id)
        )
    )


# What a reporter learns of a decision: the outcome for the content, never what happened
# to the author's account (a suspension is between the author and the moderation).
REPORTER_OUTCOMES = {
    "dismiss": "kept",
    "restore": "kept",
    "hide": "hidden",
    "suspend": "hidden",
    "lock": "locked",
    "unlock": "unlocked",
}


def _tell_reporters(
    db: Session,
    settings: Settings,
    target: Target,
    reporters: list[Account],
    action: str,
    reason: str,
) -> None:
    """Tell the members whose open reports this decision closed how it ended."""
    outcome = REPORTER_OUTCOMES[action]
    mail.send_each(
        db,
        settings,
        # Hidden or not, only those it is still shared with: a Vorhaben restricted to its
        # municipality since the report must not reach another one's members by mail, a
        # topic's comment those who have left its circle.
        [reporter for reporter in reporters if _shared(reporter, target)],
        name="report_decided",
        # A reason for hiding is written to the author; reporters get it only when the
        # content stays (then it explains the decision to them).
        context={
            "target": target,
            "outcome": outcome,
            "reason": reason if outcome == "kept" else "",
        },
        about=mail.About(topics=[target.topic.id])
        if target.topic is not None
        else mail.About(shared=[target.required_vorhaben.id]),
    )


def _shared(reader: Account, target: Target) -> bool:
    """Whether the target's Vorhaben or topic is shared with the reader, hidden or not."""
    if target.topic is not None:
        return can_see_topic(reader, target.topic)
    return shared_with(reader, target.required_vorhaben)


def request_review(
    db: Session, settings: Settings, author: Account, target_type: str, target_id: int, text: str
) -> Target:
    """The author asks, once, for a second look at hidden content."""
    target = load_target(db, target_type, target_id)
    if target.author_id != author.id or not target.hidden:
        raise NotFound
    if target.review_requested or _review_used(db, target):
        raise Conflict(_("Sie haben für diesen Beitrag bereits eine Überprüfung erbeten."))
    errors: dict[str, str] = {}
    body = check_text(errors, "text", text, limit=TEXT_MAX)
    if errors:
        raise ValidationFailed(errors)
    _item(target).review_requested_at = utcnow()
    audit.record(
        db,
        "review_requested",
        actor_id=author.id,
        object_type=target.type.value,
        object_id=target.id,
        subject_id=author.id,
        reason=body or None,
    )
    _tell_moderators(db, settings, target, "review_requested", {"text": body})
    db.flush()
    return target


def _review_used(db: Session, target: Target) -> bool:
    return bool(
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "review_requested",
                AuditEvent.object_type == target.type.value,
                AuditEvent.object_id == str(target.id),
            )
        )
    )
