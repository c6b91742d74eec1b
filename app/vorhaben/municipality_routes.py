"""Municipality pages inside the trust space: its Vorhaben, members, Kreis and Land.

A Vorhaben listing, so it lives here: the registry (municipalities) imports no domain."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.auth.deps import Member
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.municipalities import service as municipalities
from app.vorhaben import repository
from app.vorhaben import service as vorhaben_service
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(include_in_schema=False)


@router.get("/kommunen/{ags}")
def municipality_page(request: Request, ags: str, member: Member, db: DbSession) -> Response:
    """A municipality with its visible Vorhaben and its members."""
    municipality = municipalities.get_by_ags(db, ags[:12])
    if municipality is None:
        raise NotFound(_("Diese Kommune gibt es im Verzeichnis nicht."))
    page = repository.list_vorhaben(
        db, member, repository.VorhabenFilter(municipality=ags), limit=50
    )
    return render(
        request,
        "municipalities/detail.html",
        {
            "page_title": municipality.name,
            "municipality": municipality,
            "vorhaben_page": page,
            "members": vorhaben_service.members_of(db, municipality.id),
        },
    )
