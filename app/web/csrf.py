"""CSRF tokens bound to the browser: HMAC of the session cookie, or of a CSRF cookie.

Every browser gets a random, host-only, HttpOnly cookie; its token is an HMAC of it, so a
page of one browser is useless in another. Signing in and out replaces the cookie, so the
token changes with every session; anonymous forms (development sign-in) are protected too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request

from app.config import Settings

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def session_cookie_name(settings: Settings) -> str:
    return "__Host-allmende_session" if settings.https else "allmende_session"


def csrf_cookie_name(settings: Settings) -> str:
    return "__Host-allmende_csrf" if settings.https else "allmende_csrf"


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: bytes, binding: str) -> str:
    """The token a form must carry for this browser binding."""
    digest = hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_valid(secret: bytes, binding: str | None, token: str | None) -> bool:
    # A token is URL-safe base64; compare_digest refuses to compare other text.
    if not binding or not token or not token.isascii():
        return False
    return hmac.compare_digest(token_for(secret, binding).encode(), token.encode())


def binding_from_cookies(request: Request, settings: Settings) -> str | None:
    """The value the CSRF token is bound to: the browser's CSRF cookie."""
    return request.cookies.get(csrf_cookie_name(settings))


def request_token(request: Request) -> str:
    """The token pages embed for the current browser."""
    binding = getattr(request.state, "csrf_binding", None)
    if not binding:
        return ""
    return token_for(request.app.state.settings.secret, binding)
