"""The contact person's pages: the open applications from their own municipality (and no
other), each with the decision to confirm or decline it. Nothing else of the moderation
area is open to them (LocalContact, not Moderator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from app.auth.deps import LocalContact
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import claims, contacts
from app.membership.decision_routes import decide_then_return
from app.municipalities.models import Municipality
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(prefix="/ansprechperson", include_in_schema=False)

DECISION_LABELS = {"approve": N_("Bestätigen"), "decline": N_("Ablehnen")}


@router.get("/antraege")
def contact_queue(request: Request, contact: LocalContact, db: DbSession) -> Response:
    """Open applications from the contact's municipality, oldest first."""
    request.state.nav = "contact"
    return render(
        request,
        "membership/contact_queue.html",
        {
            "page_title": _("Anträge aus meiner Kommune"),
            "municipality": db.get(Municipality, contact.municipality_id),
            "applications": contacts.queue(db, contact),
        },
    )


def _page(
    request: Request,
    db: DbSession,
    contact: LocalContact,
    application_id: int,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "contact"
    application = contacts.get_for(db, contact, application_id)
    return render(
        request,
        "membership/contact_application.html",
        {
            "page_title": _("Antrag von %(name)s", name=application.account.display_name),
            "application": application,
            "claims": claims.describe(application.claims or {}),
            "reason": reason,
            "errors": errors or {},
            "labels": {"decision": _("Entscheidung"), "reason": _("Begründung")},
        },
        status_code=status_code,
    )


@router.get("/antraege/{application_id:id}")
def contact_application(
    request: Request, application_id: int, contact: LocalContact, db: DbSession
) -> Response:
    """One application from the contact's municipality (404 for any other)."""
    return _page(request, db, contact, application_id)


@router.post("/antraege/{application_id:id}")
def contact_decide(
    request: Request,
    application_id: int,
    contact: LocalContact,
    db: DbSession,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Confirm or decline (a reason is needed to decline)."""
    return decide_then_return(
        request,
        decide=lambda: contacts.decide(
            db, request.app.state.settings, contact, application_id, decision, reason
        ),
        form_again=lambda errors: _page(
            request, db, contact, application_id, reason=reason, errors=errors, status_code=422
        ),
        queue="/ansprechperson/antraege",
        decision=decision,
        labels=DECISION_LABELS,
    )
