"""The dashboard members land on after signing in."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import SignedIn
from app.dashboard import service as dashboard_service
from app.i18n import gettext as _
from app.membership import service as membership
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(include_in_schema=False)


@router.get("/")
def dashboard(request: Request, account: SignedIn, db: DbSession) -> Response:
    """Members see what is new for them; applicants are sent to their application."""
    if not account.is_member:
        return RedirectResponse(membership.landing_path(db, account), status_code=303)
    request.state.nav = "home"
    board = dashboard_service.build(db, account)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "page_title": _("Übersicht"),
            "board": board,
            "first_steps": board.first_steps,
            "circles": board.circles,
            "next_dates": board.next_dates,
        },
    )
