"""One-time messages across a redirect ("Gespeichert."), in a signed short-lived cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from app.config import Settings

COOKIE = "allmende_flash"
Kind = Literal["success", "warning", "error", "info"]


def cookie_name(settings: Settings) -> str:
    """Host-only and https-only under https, like the session and CSRF cookies."""
    return f"__Host-{COOKIE}" if settings.https else COOKIE


def _sign(secret: bytes, payload: bytes) -> str:
    mac = hmac.new(secret, b"flash:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def flash(request: Request, response: Response, message: str, kind: Kind = "success") -> None:
    """Show message on the next page this browser renders."""
    settings = request.app.state.settings
    payload = (
        base64.urlsafe_b64encode(json.dumps({"m": message, "k": kind}).encode())
        .decode()
        .rstrip("=")
    )
    value = f"{payload}.{_sign(settings.secret, payload.encode())}"
    response.set_cookie(
        cookie_name(settings),
        value,
        max_age=120,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.https,
    )


def peek(request: Request) -> dict[str, str] | None:
    """The pending message, if its signature holds."""
    settings = request.app.state.settings
    raw = request.cookies.get(cookie_name(settings))
    # Only what flash() writes (URL-safe base64) is compared: compare_digest refuses other text.
    if not raw or "." not in raw or not raw.isascii():
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(
        _sign(settings.secret, payload.encode()).encode(), signature.encode()
    ):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), str):
        return None
    kind = data.get("k") if data.get("k") in {"success", "warning", "error", "info"} else "info"
    return {"message": data["m"], "kind": str(kind)}


def consume(request: Request, response: Response) -> None:
    """Delete the cookie once its message was rendered."""
    settings = request.app.state.settings
    name = cookie_name(settings)
    if name in request.cookies:
        response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=settings.https)
