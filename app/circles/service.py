"""Circles: creating one, and every change of membership (each an audit event).

A membership moves requested -> active (a circle moderator approves) or invited -> active
(the invitee accepts); declining and leaving delete the row. Services never commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.circles.models import (
    Circle,
    CircleKind,
    CircleMembership,
    CircleRole,
    MembershipState,
)
from app.circles.repository import FIRST_MODERATORS_MAX, membership
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.ids import parse_id
from app.core.text import clean_line, forbidden_character, normalize, too_long
from app.i18n import gettext as _

NAME_MAX = 200
DESCRIPTION_MAX = 20_000


# -- creating ------------------------------------------------------------------------------


@dataclass
class CircleForm:
    """The creation form as typed (re-rendered unchanged when it fails)."""

    name: str = ""
    description: str = ""
    kind: str = CircleKind.NETWORK.value
    listed: bool = True
    moderators: list[str] = field(default_factory=list)


def check_details(form: CircleForm) -> tuple[str, str, CircleKind | None, dict[str, str]]:
    """The name, description and kind as typed, cleaned, with the errors (creating and
    changing a circle)."""
    errors: dict[str, str] = {}
    name = clean_line(form.name)
    description = normalize(form.description).strip()
    if reason := forbidden_character(normalize(form.name)):
        errors["name"] = reason
    elif not name:
        errors["name"] = _("Bitte geben Sie einen Namen an.")
    elif len(name) > NAME_MAX:
        errors["name"] = too_long(NAME_MAX, len(name))
    if reason := forbidden_character(description):
        errors["description"] = reason
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = too_long(DESCRIPTION_MAX, len(description))
    kind = CircleKind(form.kind) if form.kind in {k.value for k in CircleKind} else None
    if kind is None:
        errors["kind"] = _("Bitte wählen Sie eine Art des Kreises.")
    return name, description, kind, errors


def create(db: Session, moderator: Account, form: CircleForm) -> Circle:
    """A new circle with its first circle moderators (site moderators only)."""
    if not moderator.is_moderator:
        raise Forbidden(_("Kreise legt die Moderation an."))
    name, description, kind, errors = check_details(form)
    ids = [parse_id(value) for value in form.moderators if value]
    wanted = list(dict.fromkeys(i for i in ids if i is not None))
    found = (
        {
            account.id: account
            for account in db.scalars(
                select(Account).where(
                    Account.id.in_(wanted), Account.state == AccountState.APPROVED
                )
            )
        }
        if wanted and len(wanted) <= FIRST_MODERATORS_MAX
        else {}
    )
    if not wanted:
        errors["moderators"] = _("Bitte benennen Sie mindestens eine Kreismoderation.")
    elif None in ids or len(wanted) > FIRST_MODERATORS_MAX or set(found) != set(wanted):
        errors["moderators"] = _("Bitte wählen Sie freigeschaltete Mitglieder aus der Suche.")
    if errors or kind is None:
        raise ValidationFailed(errors)
    circle = Circle(
        name=name,
        description=description,
        description_html=markdown.render(description),
        kind=kind,
        listed=form.listed,
        created_by_id=moderator.id,
    )
    db.add(circle)
    db.flush()
    audit.record(
        db,
        "circle_created",
        actor_id=moderator.id,
        object_type="circle",
        object_id=circle.id,
        name=name,
        kind=kind.value,
        listed=form.listed,
    )
    for account_id in wanted:
        db.add(
            CircleMembership(
                circle_id=circle.id,
                account_id=account_id,
                role=CircleRole.MODERATOR,
                state=MembershipState.ACTIVE,
                invited_by_id=moderator.id,
            )
        )
        audit_event(db, "circle_moderator_named", moderator, circle, account_id)
    db.flush()
    return circle


# -- membership ----------------------------------------------------------------------------


def audit_event(db: Session, action: str, actor: Account, circle: Circle, subject_id: int) -> None:
    """Every circle membership change is an audit event: the circle, its name, the member."""
    audit.record(
        db,
        action,
        actor_id=actor.id,
        object_type="circle",
        object_id=circle.id,
        subject_id=subject_id,
        circle=circle.name,
    )


def _moderating(db: Session, actor: Account, circle: Circle) -> None:
    mine = membership(db, circle.id, actor.id)
    if not actor.is_member or mine is None or not mine.is_moderator:
        raise Forbidden(_("Das kann nur die Moderation dieses Kreises."))


def _touch(row: CircleMembership, state: MembershipState) -> None:
    row.state = state
    row.updated_at = utcnow()


def request_to_join(db: Session, account: Account, circle: Circle) -> CircleMembership:
    """Ask to join a listed circle (an invitation already there is accepted instead)."""
    row = membership(db, circle.id, account.id)
    if row is not None and row.state is MembershipState.INVITED:
        return accept_invitation(db, account, circle)
    if row is not None:
        raise Conflict(_("Sie gehören dem Kreis schon an oder haben bereits angefragt."))
    if not circle.listed:
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    row = CircleMembership(
        circle_id=circle.id, account_id=account.id, state=MembershipState.REQUESTED
    )
    db.add(row)
    audit_event(db, "circle_join_requested", account, circle, account.id)
    db.flush()
    return row


def invite(db: Session, actor: Account, circle: Circle, account_id: int) -> CircleMembership:
    """A circle moderator invites a member (a pending request of theirs is approved)."""
    _moderating(db, actor, circle)
    row = membership(db, circle.id, account_id)
    if row is not None and row.state is MembershipState.REQUESTED:
        return decide_request(db, actor, circle, account_id, approve=True)
    if row is not None:
        raise Conflict(_("Diese Person gehört dem Kreis schon an oder ist bereits eingeladen."))
    invitee = db.get(Account, account_id)
    if invitee is None or invitee.state is not AccountState.APPROVED:
        raise NotFound(_("Diese Person gibt es nicht."))
    row = CircleMembership(
        circle_id=circle.id,
        account_id=account_id,
        state=MembershipState.INVITED,
        invited_by_id=actor.id,
    )
    db.add(row)
    audit_event(db, "circle_member_invited", actor, circle, account_id)
    db.flush()
    return row


def accept_invitation(db: Session, account: Account, circle: Circle) -> CircleMembership:
    """The invitee joins."""
    row = membership(db, circle.id, account.id)
    if row is None or row.state is not MembershipState.INVITED:
        raise Conflict(_("Es liegt keine Einladung in diesen Kreis vor."))
    _touch(row, MembershipState.ACTIVE)
    audit_event(db, "circle_invitation_accepted", account, circle, account.id)
    db.flush()
    return row


def decline_invitation(db: Session, account: Account, circle: Circle) -> None:
    """The invitee says no."""
    row = membership(db, circle.id, account.id)
    if row is None or row.state is not MembershipState.INVITED:
        raise Conflict(_("Es liegt keine Einladung in diesen Kreis vor."))
    db.delete(row)
    audit_event(db, "circle_invitation_declined", account, circle, account.id)
    db.flush()


def decide_request(
    db: Session, actor: Account, circle: Circle, account_id: int, *, approve: bool
) -> CircleMembership:
    """A circle moderator approves or declines a request to join."""
    _moderating(db, actor, circle)
    row = membership(db, circle.id, account_id)
    if row is None or row.state is not MembershipState.REQUESTED:
        raise Conflict(_("Diese Anfrage ist schon entschieden."))
    if approve:
        _touch(row, MembershipState.ACTIVE)
        audit_event(db, "circle_request_approved", actor, circle, account_id)
    else:
        db.delete(row)
        audit_event(db, "circle_request_declined", actor, circle, account_id)
    db.flush()
    return row


def _last_moderator(db: Session, circle: Circle, row: CircleMembership) -> bool:
    if not row.is_moderator:
        return False
    others = db.scalar(
        select(func.count()).where(
            CircleMembership.circle_id == circle.id,
            CircleMembership.role == CircleRole.MODERATOR,
            CircleMembership.state == MembershipState.ACTIVE,
            CircleMembership.id != row.id,
        )
    )
    return not others


def leave(db: Session, account: Account, circle: Circle) -> None:
    """Leave a circle (or withdraw a request). The last circle moderator names another
    first, so that no circle is left without anyone to run it."""
    row = membership(db, circle.id, account.id)
    if row is None:
        raise Conflict(_("Sie gehören diesem Kreis nicht an."))
    if _last_moderator(db, circle, row):
        raise Conflict(
            _(
                "Sie sind die letzte Moderation dieses Kreises. Bitte ernennen Sie zuerst "
                "ein anderes Mitglied zur Kreismoderation."
            )
        )
    db.delete(row)
    audit_event(db, "circle_left", account, circle, account.id)
    db.flush()


def remove(db: Session, actor: Account, circle: Circle, account_id: int) -> None:
    """A circle moderator removes a member or withdraws an invitation."""
    _moderating(db, actor, circle)
    if account_id == actor.id:
        leave(db, actor, circle)
        return
    row = membership(db, circle.id, account_id)
    if row is None or row.state is MembershipState.REQUESTED:
        raise Conflict(_("Diese Person gehört dem Kreis nicht an."))
    db.delete(row)
    audit_event(db, "circle_member_removed", actor, circle, account_id)
    db.flush()


def set_role(
    db: Session, actor: Account, circle: Circle, account_id: int, role: CircleRole
) -> None:
    """A circle moderator makes an active member a circle moderator, or back a member."""
    _moderating(db, actor, circle)
    row = membership(db, circle.id, account_id)
    if row is None or not row.is_active:
        raise Conflict(_("Diese Person gehört dem Kreis nicht an."))
    if row.role is role:
        return
    if role is CircleRole.MEMBER and _last_moderator(db, circle, row):
        raise Conflict(_("Ein Kreis braucht mindestens eine Kreismoderation."))
    row.role = role
    row.updated_at = utcnow()
    audit.record(
        db,
        "circle_role_changed",
        actor_id=actor.id,
        object_type="circle",
        object_id=circle.id,
        subject_id=account_id,
        circle=circle.name,
        circle_role=role.value,
    )
    db.flush()
