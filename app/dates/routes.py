"""Dates of a Vorhaben, a circle or a topic: add, change, delete; one date as an iCalendar
file.

The forms are pages of their own (they work without JavaScript and come back with what was
typed); the owner's page lists the dates and links to them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.auth.deps import Member
from app.core.errors import DomainError, ValidationFailed
from app.dates import feed_routes, forms, ical, service, views
from app.dates.models import Termin
from app.i18n import N_
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)

LABELS = {
    "kind": N_("Art"),
    "title": N_("Titel"),
    "start_date": N_("Beginn (Tag)"),
    "start_time": N_("Beginn (Uhrzeit)"),
    "end_date": N_("Ende (Tag)"),
    "end_time": N_("Ende (Uhrzeit)"),
    "place": N_("Ort"),
    "link": N_("Link zur Videokonferenz oder Veranstaltung"),
    "note": N_("Hinweis"),
}


def _text(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


async def read_form(request: Request) -> forms.TerminForm:
    """The posted date form, every field as typed (unknown fields are ignored)."""
    try:
        data = await request.form()
    except Exception as error:  # a malformed body
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error
    return forms.TerminForm(**{name: _text(data, name) for name in LABELS})


def _page(
    request: Request,
    owner: service.Owner,
    form: forms.TerminForm,
    *,
    termin: Termin | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    request.state.nav = "vorhaben" if owner.kind is service.OwnerKind.VORHABEN else "kreise"
    context: dict[str, Any] = {
        "page_title": _("Termin bearbeiten") if termin else _("Termin eintragen"),
        "owner": owner,
        "termin": termin,
        "form": form,
        "errors": errors or {},
        "labels": {name: _(label) for name, label in LABELS.items()},
        "kinds": [(value, _(label)) for value, label in forms.kind_choices()],
    }
    return render(request, "dates/form.html", context, status_code=422 if errors else 200)


def _back(request: Request, owner: service.Owner, message: str) -> Response:
    response = RedirectResponse(f"{owner.href}#termine", status_code=303)
    flash(request, response, message)
    return response


Submitted = Annotated[forms.TerminForm, Depends(read_form)]


def _new_form(request: Request, owner: service.Owner) -> Response:
    return _page(request, owner, forms.TerminForm())


def _create(
    request: Request, db: DbSession, member: Member, owner: service.Owner, form: forms.TerminForm
) -> Response:
    try:
        service.add_to(db, member, owner, form)
    except ValidationFailed as error:
        return _page(request, owner, form, errors=error.errors)
    return _back(request, owner, _("Der Termin wurde eingetragen."))


@router.get("/vorhaben/{vorhaben_id:id}/termine/neu")
def new_form(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The form for a new date of a Vorhaben (for those who may edit it)."""
    return _new_form(request, service.owner_for_adding(db, member, vorhaben_id))


@router.post("/vorhaben/{vorhaben_id:id}/termine/neu")
def create(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Add a date; a wrong field brings the form back with everything typed."""
    owner = service.owner_for_adding(db, member, vorhaben_id)
    return _create(request, db, member, owner, form)


@router.get("/kreise/{circle_id:id}/termine/neu")
def new_circle_form(request: Request, circle_id: int, member: Member, db: DbSession) -> Response:
    """The form for a new date of a circle (its circle moderators)."""
    return _new_form(request, service.owner_for_adding(db, member, circle_id=circle_id))


@router.post("/kreise/{circle_id:id}/termine/neu")
def create_for_circle(
    request: Request, circle_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Add a date to a circle; a wrong field brings the form back with everything typed."""
    owner = service.owner_for_adding(db, member, circle_id=circle_id)
    return _create(request, db, member, owner, form)


@router.get("/kreise/{circle_id:id}/themen/{topic_id:id}/termine/neu")
def new_topic_form(
    request: Request, circle_id: int, topic_id: int, member: Member, db: DbSession
) -> Response:
    """The form for a new date of a topic (its author and the circle moderators)."""
    owner = service.owner_for_adding(db, member, circle_id=circle_id, topic_id=topic_id)
    return _new_form(request, owner)


@router.post("/kreise/{circle_id:id}/themen/{topic_id:id}/termine/neu")
def create_for_topic(
    request: Request, circle_id: int, topic_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Add a date to a topic; a wrong field brings the form back with everything typed."""
    owner = service.owner_for_adding(db, member, circle_id=circle_id, topic_id=topic_id)
    return _create(request, db, member, owner, form)


@router.get("/termine/{termin_id:id}/bearbeiten")
def edit_form(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """The form to change a date, filled from it."""
    termin, owner = service.managed(db, member, termin_id)
    return _page(request, owner, forms.of(termin), termin=termin)


@router.post("/termine/{termin_id:id}/bearbeiten")
def edit(
    request: Request, termin_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Save a changed date; a wrong field brings the form back with everything typed."""
    try:
        owner = service.change(db, member, termin_id, form)
    except ValidationFailed as error:
        termin, owner = service.managed(db, member, termin_id)
        return _page(request, owner, form, termin=termin, errors=error.errors)
    return _back(request, owner, _("Der Termin wurde geändert."))


@router.post("/termine/{termin_id:id}/loeschen")
def delete(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """Delete a date (it drops out of every calendar feed)."""
    owner = service.delete(db, member, termin_id)
    return _back(request, owner, _("Der Termin wurde gelöscht."))


@router.get("/termine/{termin_id:id}.ics")
def ics(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """One date as an iCalendar file, for whoever may see its owner."""
    termin, owner = service.readable(db, member, termin_id)
    body = ical.calendar([views.of_owner(termin, owner)], request.app.state.settings.base_url)
    return ical.response(body, f"termin-{termin.id}.ics")


# The feed's routes travel with these (one router for app.main to include).
router.include_router(feed_routes.router)
