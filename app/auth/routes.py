"""Sign-in pages: providers, the OIDC callback, logout, back-channel logout.

The development sign-in (seeded personas) lives in membership.dev_routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.auth import service
from app.auth.cookies import cookie_flags, end_previous_session, start_session
from app.auth.deps import CurrentAccount
from app.auth.oidc import OIDCError, ProviderRegistry
from app.i18n import N_
from app.i18n import gettext as _
from app.web import csrf, ratelimit, routing
from app.web.deps import WRITES, DbSession
from app.web.safe_redirect import local_path
from app.web.templating import render

router = routing.router(include_in_schema=False)

LOGIN_COOKIE = "allmende_login"

# What a person sees for each failure reason (the audit log keeps the technical one).
FAILURE_MESSAGES = {
    "unknown_provider": N_("Diesen Anmeldedienst gibt es hier nicht."),
    "provider_error": N_("Der Identitätsdienst hat die Anmeldung abgelehnt oder abgebrochen."),
    "discovery_failed": N_("Der Identitätsdienst ist gerade nicht erreichbar."),
    "issuer_mismatch": N_("Der Identitätsdienst ist falsch eingerichtet (Issuer stimmt nicht)."),
    "token_endpoint_unreachable": N_("Der Identitätsdienst ist gerade nicht erreichbar."),
    "reauthentication_unconfirmed": N_(
        "Der Identitätsdienst hat nicht bestätigt, dass Sie sich eben neu angemeldet haben. "
        "Bitte versuchen Sie es noch einmal."
    ),
}
# Pages a signed-in account that is not (yet) a member may be sent to after signing in
# (its data-protection rights); every other `next` leads non-members to their application.
APPLICANT_NEXT_PATHS = frozenset({"/konto/daten"})
# Where a signed-in account that is not (yet) a member belongs: membership decides (it knows
# the application); create_app hands its answer in as app.state.applicant_landing, since
# auth sits below membership and does not import it.
ApplicantLanding = Callable[[Session, Account], str]
DEFAULT_FAILURE = N_(
    "Die Anmeldung konnte nicht abgeschlossen werden. Das passiert zum Beispiel, wenn der "
    "Anmeldelink schon benutzt wurde, abgelaufen ist oder in einem anderen Browser geöffnet "
    "wurde."
)


def _registry(request: Request) -> ProviderRegistry:
    registry: ProviderRegistry = request.app.state.oidc
    return registry


def _failure_page(request: Request, error: OIDCError, provider: str) -> Response:
    message = _(FAILURE_MESSAGES.get(error.reason, DEFAULT_FAILURE))
    response = render(
        request,
        "auth/login_failed.html",
        {"page_title": _("Anmeldung fehlgeschlagen"), "message": message, "provider": provider},
        status_code=400,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/auth/callback", **cookie_flags(request))  # type: ignore[arg-type]
    return response


def _wants_reauthentication(value: str) -> bool:
    return value == "1"


def _count_login_step(request: Request, db: DbSession) -> None:
    """Starting a sign-in and coming back from the provider write rows (an attempt, a failure
    in the audit log): counted per address, 429 beyond the limit, before anything is written.
    Own short transaction: the count stands even when the request is refused."""
    settings = request.app.state.settings
    address = ratelimit.address_bucket(request.client.host if request.client else None)
    ratelimit.check_now(db, {f"login:{address}": settings.login_rate_limit_per_address})


@router.get("/login")
def login_page(
    request: Request,
    account: CurrentAccount,
    next: str | None = None,
    reauth: str = "",
) -> Response:
    """The list of identity providers to sign in with (again, with `reauth=1`)."""
    reauthenticate = _wants_reauthentication(reauth)
    if account is not None and account.is_member and not reauthenticate:
        return RedirectResponse(local_path(next), status_code=303)
    next_path = local_path(next, default="") or None
    query = urlencode(
        [
            *([("reauth", "1")] if reauthenticate else []),
            *([("next", next_path)] if next_path else []),
        ]
    )
    return render(
        request,
        "auth/login.html",
        {
            "page_title": _("Erneut anmelden") if reauthenticate else _("Anmelden"),
            "providers": _registry(request).all(),
            "login_query": f"?{query}" if query else "",
            "reauthenticate": reauthenticate,
        },
    )


@router.get("/login/{provider}", dependencies=[WRITES])
def login_start(
    request: Request,
    provider: str,
    db: DbSession,
    next: str | None = None,
    reauth: str = "",
) -> Response:
    """Send the browser to the provider (code flow, PKCE S256, state and nonce).

    `reauth=1` makes the provider authenticate the person again (max_age=0, prompt=login);
    the callback then insists on a fresh auth_time (the data export needs one).
    """
    _count_login_step(request, db)
    found = _registry(request).get(provider)
    if found is None:
        error = OIDCError("unknown_provider")
        service.record_failure(db, provider, error)
        return _failure_page(request, error, provider)
    try:
        started = service.start_login(
            db, found, next, reauthenticate=_wants_reauthentication(reauth)
        )
    except OIDCError as error:
        service.record_failure(db, provider, error)
        return _failure_page(request, error, provider)
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        started.browser_secret,
        max_age=600,
        path="/auth/callback",
        **cookie_flags(request),  # type: ignore[arg-type]
    )
    return response


def _landing(request: Request, db: DbSession, account: Account, next_path: str) -> str:
    if account.is_member or next_path in APPLICANT_NEXT_PATHS:
        return next_path
    landing: ApplicantLanding = request.app.state.applicant_landing
    return landing(db, account)


@router.get("/auth/callback/{provider}", dependencies=[WRITES])
def login_callback(request: Request, provider: str, db: DbSession) -> Response:
    """The provider's redirect back: validate everything, then start a session."""
    _count_login_step(request, db)
    found = _registry(request).get(provider)
    if found is None:
        error = OIDCError("unknown_provider")
        service.record_failure(db, provider, error)
        return _failure_page(request, error, provider)
    try:
        signed_in = service.finish_login(
            db,
            request.app.state.settings,
            found,
            dict(request.query_params),
            request.cookies.get(LOGIN_COOKIE),
            user_agent=request.headers.get("user-agent"),
        )
    except OIDCError as error:
        service.record_failure(db, provider, error)
        return _failure_page(request, error, provider)
    end_previous_session(request, db)
    response = RedirectResponse(
        _landing(request, db, signed_in.account, signed_in.next_path), status_code=303
    )
    start_session(request, response, signed_in.session.token)
    response.delete_cookie(LOGIN_COOKIE, path="/auth/callback", **cookie_flags(request))  # type: ignore[arg-type]
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    """End the session here and, where the provider offers it, at the provider."""
    settings = request.app.state.settings
    ended = service.logout(db, request.cookies.get(csrf.session_cookie_name(settings)))
    target = "/login"
    if ended is not None and ended.provider:
        found = _registry(request).get(ended.provider)
        if found is not None:
            target = found.end_session_url(ended.id_token) or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(csrf.session_cookie_name(settings), path="/", **cookie_flags(request))  # type: ignore[arg-type]
    response.set_cookie(
        csrf.csrf_cookie_name(settings),
        csrf.new_cookie_value(),
        path="/",
        **cookie_flags(request),  # type: ignore[arg-type]
    )
    return response


@router.post("/auth/backchannel-logout/{provider}")
def backchannel_logout(
    request: Request,
    provider: str,
    db: DbSession,
    logout_token: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """OpenID Connect Back-Channel Logout: 200 for a valid token, 400 otherwise."""
    headers = {"Cache-Control": "no-store"}
    found = _registry(request).get(provider)
    if found is None or not logout_token:
        return JSONResponse({"error": "invalid_request"}, status_code=400, headers=headers)
    try:
        service.backchannel_logout(db, found, logout_token)
    except OIDCError as error:
        audit.record(
            db,
            "login_failed",
            actor_id=None,
            reason=error.reason,
            provider=provider[:40],
            detail="back-channel logout",
        )
        return JSONResponse({"error": "invalid_request"}, status_code=400, headers=headers)
    return JSONResponse({}, status_code=200, headers=headers)
