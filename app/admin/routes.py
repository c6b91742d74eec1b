"""The administration area: overview and the fields-of-action taxonomy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.admin import synonym_routes, taxonomy, vocabulary_routes
from app.auth.deps import Admin
from app.core.errors import ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.vorhaben import repository
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/admin", include_in_schema=False)


@router.get("")
def overview(request: Request, admin: Admin, db: DbSession) -> Response:
    """What admins configure."""
    request.state.nav = "admin"
    return render(request, "admin/overview.html", {"page_title": _("Verwaltung")})


def _fields_page(
    request: Request,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    label: str = "",
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    return render(
        request,
        "admin/fields.html",
        {
            "page_title": _("Handlungsfelder"),
            "fields": repository.fields_of_action(db, active_only=False),
            "errors": errors or {},
            "label": label,
            "labels": {"label": _("Bezeichnung")},
        },
        status_code=status_code,
    )


@router.get("/handlungsfelder")
def fields(request: Request, admin: Admin, db: DbSession) -> Response:
    """The taxonomy with forms to add, rename, reorder and switch off."""
    return _fields_page(request, db)


@router.post("/handlungsfelder")
def add_field(
    request: Request, admin: Admin, db: DbSession, label: Annotated[str, Form()] = ""
) -> Response:
    """Add a field of action."""
    try:
        entry = taxonomy.add(db, admin, label)
    except ValidationFailed as error:
        return _fields_page(request, db, errors=error.errors, label=label, status_code=422)
    response = RedirectResponse("/admin/handlungsfelder", status_code=303)
    flash(request, response, _("Handlungsfeld „%(label)s“ angelegt.", label=entry.label))
    return response


@router.post("/handlungsfelder/{field_id:id}")
def change_field(
    request: Request,
    field_id: int,
    admin: Admin,
    db: DbSession,
    label: Annotated[str, Form()] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    position: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """Rename, reorder, or switch a field of action on or off."""
    try:
        entry = taxonomy.change(
            db,
            admin,
            field_id,
            label=label,
            active=active == "1",
            position=parse_id(position),
        )
    except ValidationFailed as error:
        return _fields_page(request, db, errors=error.errors, status_code=422)
    response = RedirectResponse("/admin/handlungsfelder", status_code=303)
    flash(request, response, _("Handlungsfeld „%(label)s“ gespeichert.", label=entry.label))
    return response


# The vocabulary and synonym pages live in modules of their own, served under this router.
router.include_router(vocabulary_routes.router)
router.include_router(synonym_routes.router)
