"""The organisations beside the Destatis registry, kept by the moderators: list, create,
edit (app/municipalities/organisations.py). Their mail domains are verified on the domains
page like those of any municipality."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Moderator
from app.core.errors import ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.municipalities import organisations
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality
from app.municipalities.organisations import OrganisationForm
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/moderation/organisationen", include_in_schema=False)

LABELS = {
    "name": N_("Name"),
    "kind": N_("Art"),
    "country": N_("Staat"),
    "land_id": N_("Land (nur in Deutschland)"),
}


def _form_context(
    db: DbSession, form: OrganisationForm, errors: dict[str, str]
) -> dict[str, object]:
    return {
        "form": form,
        "errors": errors,
        "labels": {key: _(value) for key, value in LABELS.items()},
        "type_options": organisations.type_options(),
        "country_options": organisations.country_options(),
        "land_options": [(str(key), name) for key, name in municipalities.laender(db)],
    }


def _list_page(
    request: Request,
    db: DbSession,
    *,
    form: OrganisationForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "moderation"
    return render(
        request,
        "moderation/organisations.html",
        {
            "page_title": _("Organisationen"),
            "organisations": organisations.listing(db),
            **_form_context(db, form or OrganisationForm(), errors or {}),
        },
        status_code=status_code,
    )


def _edit_page(
    request: Request,
    db: DbSession,
    entry: Municipality,
    *,
    form: OrganisationForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "moderation"
    return render(
        request,
        "moderation/organisation.html",
        {
            "page_title": _("Organisation: %(name)s", name=entry.name),
            "organisation": entry,
            **_form_context(db, form or OrganisationForm.of(entry), errors or {}),
        },
        status_code=status_code,
    )


def _form(name: str, kind: str, country: str, land_id: str, active: str = "1") -> OrganisationForm:
    return OrganisationForm(
        name=name[:1000],
        kind=kind[:10],
        country=country[:10],
        land_id=land_id[:12],
        active=active == "1",
    )


@router.get("")
def organisation_list(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """Every organisation, and the form to add one."""
    return _list_page(request, db)


@router.post("")
def organisation_add(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    land_id: Annotated[str, Form()] = "",
) -> Response:
    """Add an organisation (audited)."""
    form = _form(name, kind, country, land_id)
    try:
        entry = organisations.create(db, moderator.id, form)
    except ValidationFailed as error:
        return _list_page(request, db, form=form, errors=error.errors, status_code=422)
    response = RedirectResponse(f"/moderation/organisationen/{entry.id}", status_code=303)
    flash(request, response, _("Organisation „%(name)s“ angelegt.", name=entry.name))
    return response


@router.get("/{organisation_id:id}")
def organisation_edit(
    request: Request, organisation_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """One organisation with the form to change it."""
    return _edit_page(request, db, organisations.get(db, organisation_id))


@router.post("/{organisation_id:id}")
def organisation_save(
    request: Request,
    organisation_id: int,
    moderator: Moderator,
    db: DbSession,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    land_id: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    """Save an organisation (audited)."""
    entry = organisations.get(db, organisation_id)
    form = _form(name, kind, country, land_id, active)
    try:
        organisations.change(db, moderator.id, organisation_id, form)
    except ValidationFailed as error:
        return _edit_page(request, db, entry, form=form, errors=error.errors, status_code=422)
    response = RedirectResponse(f"/moderation/organisationen/{organisation_id}", status_code=303)
    flash(request, response, _("Organisation „%(name)s“ gespeichert.", name=entry.name))
    return response
