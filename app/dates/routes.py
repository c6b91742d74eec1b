"""Dates of a Vorhaben: add, change, delete; one date as an iCalendar file.

The forms are pages of their own (they work without JavaScript and come back with what was
typed); the Vorhaben page lists the dates and links to them.
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
from app.vorhaben.models import Vorhaben
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
    vorhaben: Vorhaben,
    form: forms.TerminForm,
    *,
    termin: Termin | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    request.state.nav = "vorhaben"
    context: dict[str, Any] = {
        "page_title": _("Termin bearbeiten") if termin else _("Termin eintragen"),
        "vorhaben": vorhaben,
        "termin": termin,
        "form": form,
        "errors": errors or {},
        "labels": {name: _(label) for name, label in LABELS.items()},
        "kinds": [(value, _(label)) for value, label in forms.kind_choices()],
    }
    return render(request, "dates/form.html", context, status_code=422 if errors else 200)


def _back(request: Request, vorhaben_id: int, message: str) -> Response:
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}#termine", status_code=303)
    flash(request, response, message)
    return response


@router.get("/vorhaben/{vorhaben_id:id}/termine/neu")
def new_form(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The form for a new date of a Vorhaben (for those who may edit it)."""
    vorhaben = service.owner_for_adding(db, member, vorhaben_id)
    return _page(request, vorhaben, forms.TerminForm())


Submitted = Annotated[forms.TerminForm, Depends(read_form)]


@router.post("/vorhaben/{vorhaben_id:id}/termine/neu")
def create(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Add a date; a wrong field brings the form back with everything typed."""
    try:
        service.add(db, member, vorhaben_id, form)
    except ValidationFailed as error:
        vorhaben = service.owner_for_adding(db, member, vorhaben_id)
        return _page(request, vorhaben, form, errors=error.errors)
    return _back(request, vorhaben_id, _("Der Termin wurde eingetragen."))


@router.get("/termine/{termin_id:id}/bearbeiten")
def edit_form(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """The form to change a date, filled from it."""
    termin, vorhaben = service.managed(db, member, termin_id)
    return _page(request, vorhaben, forms.of(termin), termin=termin)


@router.post("/termine/{termin_id:id}/bearbeiten")
def edit(
    request: Request, termin_id: int, member: Member, db: DbSession, form: Submitted
) -> Response:
    """Save a changed date; a wrong field brings the form back with everything typed."""
    try:
        vorhaben_id = service.change(db, member, termin_id, form)
    except ValidationFailed as error:
        termin, vorhaben = service.managed(db, member, termin_id)
        return _page(request, vorhaben, form, termin=termin, errors=error.errors)
    return _back(request, vorhaben_id, _("Der Termin wurde geändert."))


@router.post("/termine/{termin_id:id}/loeschen")
def delete(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """Delete a date (it drops out of every calendar feed)."""
    vorhaben_id = service.delete(db, member, termin_id)
    return _back(request, vorhaben_id, _("Der Termin wurde gelöscht."))


@router.get("/termine/{termin_id:id}.ics")
def ics(request: Request, termin_id: int, member: Member, db: DbSession) -> Response:
    """One date as an iCalendar file, for whoever may see its Vorhaben."""
    termin, vorhaben = service.readable(db, member, termin_id)
    body = ical.calendar(
        [views.view(termin, vorhaben.id, vorhaben.title)], request.app.state.settings.base_url
    )
    return ical.response(body, f"termin-{termin.id}.ics")


# The feed's routes travel with these (one router for app.main to include).
router.include_router(feed_routes.router)
