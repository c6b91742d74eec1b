"""Sign-in pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.i18n import gettext as _
from app.web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    """Anonymous visitors go to the sign-in page."""
    return RedirectResponse("/login", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    """The list of identity providers to sign in with."""
    settings = request.app.state.settings
    return render(
        request,
        "auth/login.html",
        {
            "page_title": _("Anmelden"),
            "providers": settings.providers(),
            "error": None,
            "next_path": None,
        },
    )
