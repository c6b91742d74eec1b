"""GET /suche: full-text search combined with the list filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.auth.deps import Member
from app.i18n import gettext as _
from app.search import query
from app.vorhaben import repository
from app.vorhaben.routes import Filters, filter_context
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


@router.get("/suche")
def search_page(
    request: Request,
    member: Member,
    db: DbSession,
    filters: Filters,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    kommune: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Ranked hits with highlighted excerpts; htmx refreshes the results (and the filter
    parts that depend on others)."""
    request.state.nav = "suche"
    filters = repository.consistent(db, filters)
    result = query.search(db, member, q, filters, page=page)
    titles, excerpts = query.marked(db, result)
    context = {
        "page_title": _("Suche"),
        "q": q,
        "result": result,
        "excerpts": excerpts,
        "titles": titles,
        "too_short": bool(q.strip()) and not result.terms,
        **filter_context(db, filters, kommune),
    }
    fragment = is_htmx(request) and request.headers.get("HX-Target") == "results"
    context["oob_filters"] = fragment
    return render(request, "search/_results.html" if fragment else "search/search.html", context)
