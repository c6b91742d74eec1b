"""Development sign-in: pick a seeded persona, only with ALLMENDE_DEV_LOGIN=1.

Here rather than in auth: the personas are accounts with applications (membership data),
and membership decides where a non-member lands.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.audit import service as audit
from app.auth import sessions
from app.auth.cookies import end_previous_session, start_session
from app.core.clock import utcnow
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.membership import personas
from app.membership import service as membership
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(include_in_schema=False)


def _require_dev(request: Request) -> None:
    settings = request.app.state.settings
    # load_settings() already refuses this combination; settings built another way must
    # not open a door around the identity provider either.
    if not settings.dev_login or settings.is_production:
        raise NotFound


@router.get("/dev/login")
def dev_login_page(request: Request, db: DbSession) -> Response:
    """Pick a seeded persona (development only)."""
    _require_dev(request)
    return render(
        request,
        "auth/dev_login.html",
        {"page_title": _("Anmelden als Testperson"), "personas": personas.listing(db)},
    )


@router.post("/dev/login")
def dev_login(
    request: Request, db: DbSession, persona: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """Sign in as a persona without an identity provider (development only)."""
    _require_dev(request)
    if personas.persona(persona) is not None and personas.account_for(db, persona) is None:
        personas.seed_personas(db)
    account = personas.account_for(db, persona) if persona else None
    if account is None:
        return render(
            request,
            "auth/dev_login.html",
            {
                "page_title": _("Anmelden als Testperson"),
                "personas": personas.listing(db),
                "error": _("Bitte wählen Sie eine Testperson."),
            },
            status_code=422,
        )
    new_session = sessions.create(
        db,
        request.app.state.settings,
        account,
        provider=None,
        auth_time=utcnow(),  # the person just chose a persona: a fresh sign-in
        user_agent=request.headers.get("user-agent"),
    )
    audit.record(db, "dev_login", actor_id=account.id, subject_id=account.id)
    end_previous_session(request, db)
    response = RedirectResponse(membership.landing_path(db, account), status_code=303)
    start_session(request, response, new_session.token)
    return response
