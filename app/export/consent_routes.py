"""The partner municipality's side of a publication: consent to be named, or not."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.core.errors import ValidationFailed
from app.export import partner_consent
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)
PATH = "/veroeffentlichungen/partnerschaften"


@router.get(PATH)
def consents(request: Request, member: Member, db: DbSession) -> Response:
    """Publications that would name the member's municipality as a partner."""
    request.state.nav = "vorhaben"
    return render(
        request,
        "export/partner_consents.html",
        {
            "page_title": _("Als Partnerkommune genannt werden"),
            "requests": partner_consent.of_municipality(db, member),
        },
    )


@router.post(PATH + "/{consent_id:id}")
def decide(
    request: Request,
    consent_id: int,
    member: Member,
    db: DbSession,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Confirm or revoke (audited); revoking takes the municipality off the live version."""
    try:
        partner_consent.decide(db, request.app.state.settings, member, consent_id, decision)
    except ValidationFailed as error:
        response = RedirectResponse(PATH, status_code=303)
        flash(request, response, error.errors.get("decision", error.message))
        return response
    response = RedirectResponse(PATH, status_code=303)
    flash(
        request,
        response,
        _("Zugestimmt: Ihre Kommune wird mit der nächsten Freigabe öffentlich genannt.")
        if decision == "confirm"
        else _("Ihre Kommune wird nicht (mehr) öffentlich genannt; Partner erfahren es sofort."),
    )
    return response
