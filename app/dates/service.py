"""Dates: add, change and delete them; find one for a reader.

A date is read only through its owner's visibility (a Vorhaben by app.vorhaben.visibility):
restricting or hiding the Vorhaben hides its dates on every surface, the calendar feed too.
Whoever may edit the Vorhaben manages its dates; moderators may change or delete them too,
and that is audited.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound
from app.dates import forms
from app.dates.models import Termin
from app.i18n import gettext as _
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import Reader, require_visible


def readable(db: Session, reader: Reader, termin_id: int) -> tuple[Termin, Vorhaben]:
    """A date whose owner the reader may see, with that owner (404 otherwise)."""
    termin = db.get(Termin, termin_id)
    if termin is None or termin.vorhaben_id is None:
        raise NotFound(_("Diesen Termin gibt es nicht."))
    try:
        vorhaben = require_visible(db.get(Vorhaben, termin.vorhaben_id), reader)
    except NotFound:
        raise NotFound(_("Diesen Termin gibt es nicht.")) from None
    return termin, vorhaben


def may_add(actor: Account, vorhaben: Vorhaben) -> bool:
    """Whoever may edit the Vorhaben adds dates to it."""
    return vorhaben_service.can_edit(actor, vorhaben)


def may_manage(actor: Account, vorhaben: Vorhaben) -> bool:
    """Editors of the Vorhaben change and delete its dates; so do moderators (audited)."""
    return vorhaben_service.can_edit(actor, vorhaben) or actor.is_moderator


def owner_for_adding(db: Session, actor: Account, vorhaben_id: int) -> Vorhaben:
    """The Vorhaben a date is to be added to (404 if unseen, 403 if not an editor)."""
    vorhaben = require_visible(db.get(Vorhaben, vorhaben_id), actor)
    if not may_add(actor, vorhaben):
        raise Forbidden(_("Termine eintragen kann, wer das Vorhaben bearbeiten darf."))
    return vorhaben


def managed(db: Session, actor: Account, termin_id: int) -> tuple[Termin, Vorhaben]:
    """A date the actor may change or delete (404 if unseen, 403 otherwise)."""
    termin, vorhaben = readable(db, actor, termin_id)
    if not may_manage(actor, vorhaben):
        raise Forbidden(_("Diesen Termin können Sie nicht ändern."))
    return termin, vorhaben


def add(db: Session, actor: Account, vorhaben_id: int, form: forms.TerminForm) -> Termin:
    """Add a date to a Vorhaben (ValidationFailed names the wrong fields)."""
    vorhaben = owner_for_adding(db, actor, vorhaben_id)
    data = forms.clean(form)
    termin = Termin(vorhaben_id=vorhaben.id, author_id=actor.id, sequence=0)
    _apply(termin, data)
    db.add(termin)
    db.flush()
    return termin


def change(db: Session, actor: Account, termin_id: int, form: forms.TerminForm) -> int:
    """Change a date; its SEQUENCE rises so calendars take the new version. Returns its
    Vorhaben's id."""
    termin, vorhaben = managed(db, actor, termin_id)
    data = forms.clean(form)
    _apply(termin, data)
    termin.sequence += 1
    termin.updated_at = utcnow()
    if not vorhaben_service.can_edit(actor, vorhaben):  # a moderator's decision
        _audit(db, "termin_changed", actor, termin, vorhaben)
    db.flush()
    return vorhaben.id


def delete(db: Session, actor: Account, termin_id: int) -> int:
    """Delete a date (it drops out of every calendar feed); returns its Vorhaben's id."""
    termin, vorhaben = managed(db, actor, termin_id)
    if not vorhaben_service.can_edit(actor, vorhaben):
        _audit(db, "termin_deleted", actor, termin, vorhaben)
    db.delete(termin)
    db.flush()
    return vorhaben.id


def _apply(termin: Termin, data: forms.CleanTermin) -> None:
    termin.kind = data.kind
    termin.title = data.title
    termin.starts_at = data.starts_at
    termin.ends_at = data.ends_at
    termin.all_day = data.all_day
    termin.place = data.place
    termin.link = data.link
    termin.note = data.note


def _audit(db: Session, action: str, actor: Account, termin: Termin, vorhaben: Vorhaben) -> None:
    audit.record(
        db,
        action,
        actor_id=actor.id,
        object_type="termin",
        object_id=termin.id,
        subject_id=termin.author_id,
        vorhaben_id=vorhaben.id,
        title=termin.title,
    )
