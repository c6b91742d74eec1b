"""The admin page for search's synonym list (app.search.synonym_list): one group per line;
an edit applies with the next search, without rebuilding the index."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Admin
from app.core.errors import ValidationFailed
from app.i18n import gettext as _
from app.i18n import ngettext
from app.search import synonym_list
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

# Served under the admin router (prefix /admin).
router = routing.router(include_in_schema=False)
PATH = "/admin/synonyme"


def _page(
    request: Request,
    db: DbSession,
    *,
    text: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    stored = synonym_list.stored_text(db)
    return render(
        request,
        "admin/synonyms.html",
        {
            "page_title": _("Synonyme der Suche"),
            # As typed; else the saved list, which may be empty; else the shipped one.
            "text": text
            if text is not None
            else synonym_list.SHIPPED
            if stored is None
            else stored,
            "edited": stored is not None,
            "errors": errors or {},
            "labels": {synonym_list.FIELD: _("Synonyme")},
            "max_length": synonym_list.MAX_TEXT,
        },
        status_code=status_code,
    )


@router.get("/synonyme")
def synonyms(request: Request, admin: Admin, db: DbSession) -> Response:
    """The list that applies now, to edit."""
    return _page(request, db)


@router.post("/synonyme")
def synonyms_save(
    request: Request,
    admin: Admin,
    db: DbSession,
    synonyms: Annotated[str, Form()],
) -> Response:
    """Store the list (audited); a refused list is shown again as typed, wrong lines named."""
    try:
        saved = synonym_list.save(db, admin, synonyms)
    except ValidationFailed as error:
        return _page(request, db, text=synonyms, errors=error.errors, status_code=422)
    response = RedirectResponse(PATH, status_code=303)
    flash(
        request,
        response,
        ngettext(
            "Die Synonyme sind gespeichert (%(count)s Gruppe).",
            "Die Synonyme sind gespeichert (%(count)s Gruppen).",
            len(saved.groups),
            count=len(saved.groups),
        ),
    )
    return response


@router.post("/synonyme/standard")
def synonyms_reset(request: Request, admin: Admin, db: DbSession) -> Response:
    """Back to the list shipped with Allmende (audited)."""
    synonym_list.reset(db, admin)
    response = RedirectResponse(PATH, status_code=303)
    flash(request, response, _("Es gilt wieder die mitgelieferte Liste der Synonyme."))
    return response
