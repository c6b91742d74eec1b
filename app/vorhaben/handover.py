"""Handing a Vorhaben to a colleague: its author (or a moderator) makes another member of
the owning municipality its author. A Vorhaben stays with its municipality when its author
moves to another one (app.membership.changes); this is how it gets a new owner there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.fields import REASON_MAX, check_text
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.outbox import mail
from app.vorhaben import service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see, moderator_reads

GRANT = "handover"


def load(db: Session, actor: Account, vorhaben_id: int, *, record: bool = True) -> Vorhaben:
    """The Vorhaben for its hand-over: its author while they may still see it, or a
    moderator (reading restricted content of another municipality only as such, audited
    when `record`)."""
    vorhaben = db.scalars(
        select(Vorhaben)
        .where(Vorhaben.id == vorhaben_id)
        .options(joinedload(Vorhaben.author), joinedload(Vorhaben.municipality))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if vorhaben is None:
        raise NotFound(_("Dieses Vorhaben gibt es nicht oder Sie können es nicht sehen."))
    readable = can_see(actor, vorhaben)
    if actor.is_moderator:
        moderator_reads(
            db,
            actor,
            readable=readable,
            grant=GRANT,
            object_type="vorhaben",
            object_id=vorhaben.id,
            record=record,
        )
        return vorhaben
    if not readable:
        raise NotFound(_("Dieses Vorhaben gibt es nicht oder Sie können es nicht sehen."))
    if actor.id != vorhaben.author_id:
        raise Forbidden(_("Übergeben können die Autorin oder der Autor und die Moderation."))
    return vorhaben


def colleagues(db: Session, vorhaben: Vorhaben) -> list[Account]:
    """Who may take the Vorhaben over: approved members of its municipality but its author."""
    return [
        member
        for member in service.members_of(db, vorhaben.municipality_id)
        if member.id != vorhaben.author_id
    ]


def hand_over(
    db: Session,
    settings: Settings,
    actor: Account,
    vorhaben_id: int,
    new_author: str,
    reason: str,
) -> tuple[Vorhaben, Account]:
    """Make a colleague of the owning municipality the Vorhaben's author; audited."""
    vorhaben = load(db, actor, vorhaben_id, record=False)
    errors: dict[str, str] = {}
    chosen_id = parse_id(new_author)
    chosen = next((member for member in colleagues(db, vorhaben) if member.id == chosen_id), None)
    if chosen is None:
        errors["new_author"] = _("Bitte wählen Sie ein Mitglied der Kommune des Vorhabens.")
    text = check_text(errors, "reason", reason, limit=REASON_MAX)
    if errors or chosen is None:
        raise ValidationFailed(errors)
    previous = vorhaben.author_id
    vorhaben.author_id = chosen.id
    audit.record(
        db,
        "vorhaben_handed_over",
        actor_id=actor.id,
        object_type="vorhaben",
        object_id=vorhaben.id,
        subject_id=chosen.id,
        reason=text,
        previous_author_id=previous,
        new_account=chosen.id,
        title=vorhaben.title,
    )
    # The mail names the Vorhaben: it leaves only while the new author may still see it.
    mail.send(
        db,
        settings,
        to=chosen.email,
        locale=chosen.locale,
        name="vorhaben_handed_over",
        context={"receiver": chosen, "vorhaben": vorhaben, "reason": text},
        about=(chosen.id, mail.About(vorhaben=[vorhaben.id])),
    )
    db.flush()
    return vorhaben, chosen
