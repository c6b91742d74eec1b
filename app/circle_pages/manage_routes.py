"""Site moderators run circles after creating them (app.circles.administration): the list
of every circle (those without a circle moderator first) and one circle's settings and
circle moderators. They see a circle's name, description and moderators here, never its
content (its Vorhaben, its other members)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Moderator
from app.circle_pages.routes import SubmittedCircle, read_circle_form
from app.circles import administration
from app.circles import repository as circle_repository
from app.circles import service as circles
from app.circles.models import CIRCLE_KIND_LABELS, Circle
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import Kind, flash
from app.web.templating import render

router = routing.router(include_in_schema=False)


@router.get("/moderation/kreise")
def circles_for_moderators(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """Every circle, those without anyone to run them first."""
    request.state.nav = "moderation"
    return render(
        request,
        "circles/moderation_list.html",
        {"page_title": _("Kreise"), "entries": circle_repository.for_moderators(db)},
    )


def _circle(db: DbSession, circle_id: int) -> Circle:
    circle = db.get(Circle, circle_id)
    if circle is None:
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    return circle


def _page(
    request: Request,
    db: DbSession,
    circle: Circle,
    form: circles.CircleForm,
    *,
    q: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "moderation"
    running = circle_repository.running(db, circle.id)
    found = circle_repository.find_members(db, q) if q.strip() else []
    taken = {account.id for account in running}
    return render(
        request,
        "circles/manage.html",
        {
            "page_title": _("Kreis verwalten: %(name)s", name=circle.name),
            "circle": circle,
            "form": form,
            "errors": errors or {},
            "labels": {"name": _("Name"), "description": _("Beschreibung"), "kind": _("Art")},
            "kind_options": [(key.value, _(label)) for key, label in CIRCLE_KIND_LABELS.items()],
            "running": running,
            "q": q,
            "searched": bool(q.strip()),
            "candidates": [account for account in found if account.id not in taken],
        },
        status_code=status_code,
    )


def _back(request: Request, circle_id: int, message: str, kind: Kind = "success") -> Response:
    response = RedirectResponse(f"/kreise/{circle_id}/verwalten", status_code=303)
    flash(request, response, message, kind)
    return response


@router.get("/kreise/{circle_id:id}/verwalten")
def manage_page(
    request: Request,
    circle_id: int,
    moderator: Moderator,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """A circle's settings and circle moderators (site moderators)."""
    circle = _circle(db, circle_id)
    return _page(request, db, circle, administration.form_from(circle), q=q)


@router.post("/kreise/{circle_id:id}/verwalten")
def change_circle(
    request: Request,
    circle_id: int,
    moderator: Moderator,
    db: DbSession,
    submitted: Annotated[SubmittedCircle, Depends(read_circle_form)],
) -> Response:
    """Save the circle's name, description, kind and listing; errors keep what was typed."""
    circle = _circle(db, circle_id)
    try:
        with db.begin_nested():
            changed = administration.change(db, moderator, circle, submitted.form)
    except ValidationFailed as error:
        return _page(request, db, circle, submitted.form, errors=error.errors, status_code=422)
    return _back(
        request, circle.id, _("Der Kreis ist geändert.") if changed else _("Nichts geändert.")
    )


@router.post("/kreise/{circle_id:id}/verwalten/moderation")
def circle_moderators(
    request: Request,
    circle_id: int,
    moderator: Moderator,
    db: DbSession,
    account: Annotated[str, Form(max_length=20)] = "",
    decision: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Name (`decision` = name) or withdraw (withdraw) a circle moderator."""
    circle = _circle(db, circle_id)
    account_id = parse_id(account)
    try:
        if decision == "name":
            person = administration.name_moderator(db, moderator, circle, account_id)
            done = _("%(name)s moderiert jetzt den Kreis.", name=person.display_name)
        elif decision == "withdraw":
            person = administration.withdraw_moderator(db, moderator, circle, account_id)
            done = _("%(name)s moderiert den Kreis nicht mehr.", name=person.display_name)
        else:
            return _back(request, circle.id, _("Bitte wählen Sie eine Aktion."), "error")
    except Conflict as error:
        return _back(request, circle.id, error.message, "error")
    return _back(request, circle.id, done)
