"""Site moderators run circles after creating them: change a circle's name, description,
kind and whether it is listed, and name or withdraw its circle moderators (each an audit
event). Withdrawing keeps the person in the circle as a member; the last circle moderator
is withdrawn only after another is named. A circle can still lose its last one (an erased
or suspended account): the moderation's circle list shows it (repository.for_moderators).
Services never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.circles.models import Circle, CircleMembership, CircleRole, MembershipState
from app.circles.repository import membership, running
from app.circles.service import CircleForm, audit_event, check_details
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.i18n import gettext as _


def _site_moderator(actor: Account) -> None:
    if not actor.is_moderator:
        raise Forbidden(_("Kreise verwaltet die Moderation."))


def form_from(circle: Circle) -> CircleForm:
    """The details form, filled from the circle."""
    return CircleForm(
        name=circle.name,
        description=circle.description,
        kind=circle.kind.value,
        listed=circle.listed,
    )


def change(db: Session, actor: Account, circle: Circle, form: CircleForm) -> bool:
    """Change the circle's details; audited when anything changed (returns whether)."""
    _site_moderator(actor)
    name, description, kind, errors = check_details(form)
    if errors or kind is None:
        raise ValidationFailed(errors)
    before = (circle.name, circle.description, circle.kind, circle.listed)
    if before == (name, description, kind, form.listed):
        return False
    circle.name = name
    circle.description = description
    circle.description_html = markdown.render(description)
    circle.kind = kind
    circle.listed = form.listed
    audit.record(
        db,
        "circle_changed",
        actor_id=actor.id,
        object_type="circle",
        object_id=circle.id,
        circle=before[0],
        name=name,
        kind=kind.value,
        listed=form.listed,
    )
    db.flush()
    return True


def name_moderator(db: Session, actor: Account, circle: Circle, account_id: int | None) -> Account:
    """Make an approved member a circle moderator: an active member, an invitee or someone
    asking to join becomes one at once, someone outside the circle joins as one."""
    _site_moderator(actor)
    person = (
        db.scalars(
            select(Account).where(Account.id == account_id, Account.state == AccountState.APPROVED)
        ).one_or_none()
        if account_id is not None
        else None
    )
    if person is None:
        raise Conflict(_("Bitte wählen Sie ein freigeschaltetes Mitglied."))
    row = membership(db, circle.id, person.id)
    if row is not None and row.is_active and row.is_moderator:
        raise Conflict(_("%(name)s moderiert diesen Kreis schon.", name=person.display_name))
    if row is None:
        row = CircleMembership(circle_id=circle.id, account_id=person.id, invited_by_id=actor.id)
        db.add(row)
    row.role = CircleRole.MODERATOR
    row.state = MembershipState.ACTIVE
    row.updated_at = utcnow()
    audit_event(db, "circle_moderator_named", actor, circle, person.id)
    db.flush()
    return person


def withdraw_moderator(
    db: Session, actor: Account, circle: Circle, account_id: int | None
) -> Account:
    """Make a circle moderator a plain member of the circle again (not the last one)."""
    _site_moderator(actor)
    row = membership(db, circle.id, account_id) if account_id is not None else None
    if row is None or not row.is_active or not row.is_moderator:
        raise Conflict(_("Diese Person moderiert den Kreis nicht."))
    others = [entry for entry in running(db, circle.id) if entry.id != row.account_id]
    if not others:
        raise Conflict(
            _(
                "Ein Kreis braucht mindestens eine Kreismoderation. Benennen Sie zuerst "
                "eine andere Person."
            )
        )
    row.role = CircleRole.MEMBER
    row.updated_at = utcnow()
    audit_event(db, "circle_moderator_withdrawn", actor, circle, row.account_id)
    db.flush()
    return db.get_one(Account, row.account_id)
