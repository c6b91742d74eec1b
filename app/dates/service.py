"""Dates: add, change and delete them; find one for a reader.

A date is read only through its owner's visibility (app.vorhaben.visibility): a Vorhaben's
by the Vorhaben's rule, a circle's and a topic's by the circle's active membership.
Restricting or hiding the owner, or leaving the circle, hides its dates on every surface,
the calendar feed too.

Who manages them: whoever may edit a Vorhaben manages its dates, and moderators may change
or delete them too (audited). A circle's dates are managed by its circle moderators, a
topic's by the topic's author and the circle moderators: every date notifies the whole
circle, so not every member schedules for everyone (docs/dates.md).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.audit import service as audit
from app.circles import repository as circle_repository
from app.circles.models import Circle, Topic
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound
from app.dates import forms
from app.dates.models import Termin
from app.i18n import gettext as _
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import (
    Reader,
    can_see_circle_content,
    require_visible,
    require_visible_topic,
)


class OwnerKind(enum.StrEnum):
    VORHABEN = "vorhaben"
    CIRCLE = "kreis"
    TOPIC = "thema"


@dataclass(frozen=True)
class Owner:
    """What a date belongs to, loaded for one reader who may see it."""

    kind: OwnerKind
    id: int
    title: str
    href: str  # the owner's page
    vorhaben: Vorhaben | None = None
    topic: Topic | None = None
    circle_id: int | None = None  # the circle whose active members see it

    @property
    def new_href(self) -> str:
        """Where a new date for this owner is entered."""
        return f"{self.href}/termine/neu"


def _gone() -> NotFound:
    return NotFound(_("Diesen Termin gibt es nicht."))


def owner(
    db: Session,
    reader: Reader,
    vorhaben_id: int | None = None,
    *,
    circle_id: int | None = None,
    topic_id: int | None = None,
) -> Owner:
    """The owner named by one of the ids, if the reader may see it (404 otherwise)."""
    if vorhaben_id is not None:
        vorhaben = require_visible(db.get(Vorhaben, vorhaben_id), reader)
        return Owner(
            OwnerKind.VORHABEN,
            vorhaben.id,
            vorhaben.title,
            f"/vorhaben/{vorhaben.id}",
            vorhaben=vorhaben,
        )
    if topic_id is not None:
        topic = require_visible_topic(db.get(Topic, topic_id), reader)
        if circle_id is not None and topic.circle_id != circle_id:
            raise NotFound(_("Dieses Thema gibt es nicht oder Sie können es nicht sehen."))
        return Owner(
            OwnerKind.TOPIC,
            topic.id,
            topic.title,
            f"/kreise/{topic.circle_id}/themen/{topic.id}",
            topic=topic,
            circle_id=topic.circle_id,
        )
    circle = db.get(Circle, circle_id) if circle_id is not None else None
    if circle is None or not can_see_circle_content(db, reader, circle.id):
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    return Owner(
        OwnerKind.CIRCLE, circle.id, circle.name, f"/kreise/{circle.id}", circle_id=circle.id
    )


def readable(db: Session, reader: Reader, termin_id: int) -> tuple[Termin, Owner]:
    """A date whose owner the reader may see, with that owner (404 otherwise)."""
    termin = db.get(Termin, termin_id)
    if termin is None:
        raise _gone()
    try:
        found = owner(
            db,
            reader,
            termin.vorhaben_id,
            circle_id=termin.circle_id,
            topic_id=termin.topic_id,
        )
    except NotFound:
        raise _gone() from None
    return termin, found


def _circle_moderator(db: Session, actor: Account, circle_id: int) -> bool:
    row = circle_repository.membership(db, circle_id, actor.id)
    return row is not None and row.is_moderator


def may_add(db: Session, actor: Account, owner: Owner) -> bool:
    """Editors add dates to a Vorhaben; circle moderators to a circle; the topic's author
    and the circle moderators to a topic."""
    if owner.vorhaben is not None:
        return vorhaben_service.can_edit(actor, owner.vorhaben)
    if owner.topic is not None and owner.topic.author_id == actor.id:
        return True
    return owner.circle_id is not None and _circle_moderator(db, actor, owner.circle_id)


def may_manage(db: Session, actor: Account, owner: Owner) -> bool:
    """Who may add dates changes and deletes them; a Vorhaben's also moderators (audited).
    (Moderators see no circle's content unless they belong to it.)"""
    if owner.vorhaben is not None and actor.is_moderator:
        return True
    return may_add(db, actor, owner)


def owner_for_adding(
    db: Session,
    actor: Account,
    vorhaben_id: int | None = None,
    *,
    circle_id: int | None = None,
    topic_id: int | None = None,
) -> Owner:
    """The owner a date is to be added to (404 if unseen, 403 if the actor may not)."""
    found = owner(db, actor, vorhaben_id, circle_id=circle_id, topic_id=topic_id)
    if not may_add(db, actor, found):
        if found.vorhaben is not None:
            raise Forbidden(_("Termine eintragen kann, wer das Vorhaben bearbeiten darf."))
        raise Forbidden(
            _("Termine tragen die Moderation des Kreises und wer das Thema eröffnet hat ein.")
        )
    return found


def managed(db: Session, actor: Account, termin_id: int) -> tuple[Termin, Owner]:
    """A date the actor may change or delete (404 if unseen, 403 otherwise)."""
    termin, found = readable(db, actor, termin_id)
    if not may_manage(db, actor, found):
        raise Forbidden(_("Diesen Termin können Sie nicht ändern."))
    return termin, found


def add(db: Session, actor: Account, vorhaben_id: int, form: forms.TerminForm) -> Termin:
    """Add a date to a Vorhaben (ValidationFailed names the wrong fields)."""
    return add_to(db, actor, owner_for_adding(db, actor, vorhaben_id), form)


def add_to(db: Session, actor: Account, owner: Owner, form: forms.TerminForm) -> Termin:
    """Add a date to an owner found by owner_for_adding() (ValidationFailed names the
    wrong fields)."""
    data = forms.clean(form)
    termin = Termin(author_id=actor.id, sequence=0)
    if owner.kind is OwnerKind.VORHABEN:
        termin.vorhaben_id = owner.id
    elif owner.kind is OwnerKind.TOPIC:
        termin.topic_id = owner.id
    else:
        termin.circle_id = owner.id
    _apply(termin, data)
    db.add(termin)
    db.flush()
    events.publish(db, events.TerminSaved(termin_id=termin.id, actor_id=actor.id, new=True))
    return termin


def change(db: Session, actor: Account, termin_id: int, form: forms.TerminForm) -> Owner:
    """Change a date; its SEQUENCE rises so calendars take the new version. Returns its
    owner."""
    termin, found = managed(db, actor, termin_id)
    data = forms.clean(form)
    _apply(termin, data)
    termin.sequence += 1
    termin.updated_at = utcnow()
    if _by_moderator(actor, found):
        _audit(db, "termin_changed", actor, termin, found)
    db.flush()
    events.publish(db, events.TerminSaved(termin_id=termin.id, actor_id=actor.id, new=False))
    return found


def delete(db: Session, actor: Account, termin_id: int) -> Owner:
    """Delete a date (it drops out of every calendar feed); returns its owner."""
    termin, found = managed(db, actor, termin_id)
    if _by_moderator(actor, found):
        _audit(db, "termin_deleted", actor, termin, found)
    db.delete(termin)
    db.flush()
    return found


def _by_moderator(actor: Account, owner: Owner) -> bool:
    """A moderator's decision on a Vorhaben they may not edit."""
    return owner.vorhaben is not None and not vorhaben_service.can_edit(actor, owner.vorhaben)


def _apply(termin: Termin, data: forms.CleanTermin) -> None:
    termin.kind = data.kind
    termin.title = data.title
    termin.starts_at = data.starts_at
    termin.ends_at = data.ends_at
    termin.all_day = data.all_day
    termin.place = data.place
    termin.link = data.link
    termin.note = data.note


def _audit(db: Session, action: str, actor: Account, termin: Termin, owner: Owner) -> None:
    audit.record(
        db,
        action,
        actor_id=actor.id,
        object_type="termin",
        object_id=termin.id,
        subject_id=termin.author_id,
        vorhaben_id=owner.id,
        title=termin.title,
    )
