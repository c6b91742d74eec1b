"""The hand-over page of a Vorhaben (to a colleague of its municipality)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.core.errors import ValidationFailed
from app.i18n import gettext as _
from app.vorhaben import handover
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)


def _page(
    request: Request,
    db: DbSession,
    member: Member,
    vorhaben_id: int,
    *,
    new_author: str = "",
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "vorhaben"
    vorhaben = handover.load(db, member, vorhaben_id, record=status_code == 200)
    return render(
        request,
        "vorhaben/handover.html",
        {
            "page_title": _("Vorhaben übergeben: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            "colleagues": handover.colleagues(db, vorhaben),
            "new_author": new_author,
            "reason": reason,
            "errors": errors or {},
            "labels": {"new_author": _("Neue Autorin oder neuer Autor"), "reason": _("Anlass")},
        },
        status_code=status_code,
    )


@router.get("/vorhaben/{vorhaben_id:id}/uebergeben")
def handover_page(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """Choose the colleague who takes the Vorhaben over."""
    return _page(request, db, member, vorhaben_id)


@router.post("/vorhaben/{vorhaben_id:id}/uebergeben")
def handover_post(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    new_author: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Hand the Vorhaben over; a failed form comes back with what was chosen and typed."""
    try:
        vorhaben, chosen = handover.hand_over(
            db, request.app.state.settings, member, vorhaben_id, new_author, reason
        )
    except ValidationFailed as error:
        return _page(
            request,
            db,
            member,
            vorhaben_id,
            new_author=new_author,
            reason=reason,
            errors=error.errors,
            status_code=422,
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben.id}", status_code=303)
    flash(request, response, _("%(name)s ist jetzt verantwortlich.", name=chosen.display_name))
    return response
