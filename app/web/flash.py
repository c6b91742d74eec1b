"""One-time messages across a redirect ("Gespeichert."), in a signed short-lived cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "allmende_flash"
Kind = Literal["success", "warning", "error", "info"]


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
        COOKIE, value, max_age=120, httponly=True, samesite="lax", secure=settings.https
    )


def peek(request: Request) -> dict[str, str] | None:
    """The pending message, if its signature holds."""
    raw = request.cookies.get(COOKIE)
    if not raw or "." not in raw:
        return None
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(
        _sign(request.app.state.settings.secret, payload.encode()), signature
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
    if COOKIE in request.cookies:
        response.delete_cookie(
            COOKIE, httponly=True, samesite="lax", secure=request.app.state.settings.https
        )
