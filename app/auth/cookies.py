"""The browser side of a session: its cookie flags, starting a session, ending the old one.

Shared by the OIDC sign-in (auth.routes) and the development sign-in (membership.dev_routes).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth import sessions
from app.web import csrf


def cookie_flags(request: Request) -> dict[str, object]:
    return {"httponly": True, "samesite": "lax", "secure": request.app.state.settings.https}


def start_session(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        csrf.session_cookie_name(settings),
        token,
        max_age=settings.session_max_age_seconds,
        path="/",
        **cookie_flags(request),  # type: ignore[arg-type]
    )
    # A new CSRF binding for the new session.
    response.set_cookie(
        csrf.csrf_cookie_name(settings),
        csrf.new_cookie_value(),
        path="/",
        **cookie_flags(request),  # type: ignore[arg-type]
    )


def end_previous_session(request: Request, db: Session) -> None:
    """A new sign-in in this browser replaces its old session (re-authentication, or
    another account): the old one would otherwise linger in "my sessions" until it expires."""
    token = request.cookies.get(csrf.session_cookie_name(request.app.state.settings))
    if token:
        sessions.end_by_token(db, token)
