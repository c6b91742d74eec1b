"""The co-editor page of a Vorhaben: its owners name and withdraw co-editors from the
members of its partner municipalities (app.vorhaben.co_editors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.core.errors import Forbidden, ValidationFailed
from app.i18n import gettext as _
from app.vorhaben import co_editors, service
from app.vorhaben.models import Vorhaben
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)


def _owned(db: DbSession, member: Member, vorhaben_id: int) -> Vorhaben:
    vorhaben = service.get(db, member, vorhaben_id)
    if not service.can_edit(member, vorhaben):
        raise Forbidden(
            _("Mitbearbeitung vergeben Mitglieder der Kommune, der das Vorhaben gehört.")
        )
    return vorhaben


def _page(
    request: Request,
    db: DbSession,
    vorhaben: Vorhaben,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "vorhaben"
    return render(
        request,
        "vorhaben/co_editors.html",
        {
            "page_title": _("Mitbearbeitung: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            "co_editors": co_editors.co_editors(db, vorhaben.id),
            "candidates": co_editors.candidates(db, vorhaben),
            "errors": errors or {},
            "labels": {"account": _("Mitglied einer Partnerkommune")},
        },
        status_code=status_code,
    )


@router.get("/vorhaben/{vorhaben_id:id}/mitbearbeitung")
def co_editor_page(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The co-editors and the members of the partner municipalities who can become one."""
    return _page(request, db, _owned(db, member, vorhaben_id))


@router.post("/vorhaben/{vorhaben_id:id}/mitbearbeitung")
def co_editor_add(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    account: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Name a co-editor; a wrong choice comes back with an error."""
    vorhaben = _owned(db, member, vorhaben_id)
    try:
        chosen = co_editors.add(db, member, vorhaben, account)
    except ValidationFailed as error:
        return _page(request, db, vorhaben, errors=error.errors, status_code=422)
    response = RedirectResponse(f"/vorhaben/{vorhaben.id}/mitbearbeitung", status_code=303)
    flash(
        request,
        response,
        _("%(name)s kann das Vorhaben jetzt mitbearbeiten.", name=chosen.display_name),
    )
    return response


@router.post("/vorhaben/{vorhaben_id:id}/mitbearbeitung/entfernen")
def co_editor_remove(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    account: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Withdraw a co-editor."""
    vorhaben = _owned(db, member, vorhaben_id)
    chosen = co_editors.remove(db, member, vorhaben, account)
    response = RedirectResponse(f"/vorhaben/{vorhaben.id}/mitbearbeitung", status_code=303)
    flash(
        request,
        response,
        _("%(name)s bearbeitet das Vorhaben nicht mehr mit.", name=chosen.display_name),
    )
    return response
