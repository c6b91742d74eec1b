"""Security headers on every response, including error pages rendered outside middleware."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(form_action_origins: tuple[str, ...] = ()) -> str:
    """Strict CSP: nothing inline, nothing from another host (forms may go to the IdP)."""
    form_action = " ".join(("'self'", *form_action_origins))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        f"frame-ancestors 'none'; form-action {form_action}"
    )


# For files members uploaded (app.attachments): nothing may load or run, even if a browser
# were to render one; the sandbox gives it an origin of its own. Kept where a route set it.
SANDBOX_POLICY = (
    "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'; sandbox"
)


def apply(headers: MutableHeaders, request: Request) -> None:
    """Set the security headers (idempotent)."""
    state = request.app.state
    registry = getattr(state, "oidc", None)
    origins = registry.form_action_origins() if registry is not None else ()
    if headers.get("content-security-policy") != SANDBOX_POLICY:
        headers["Content-Security-Policy"] = content_security_policy(origins)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if state.settings.is_production:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if "cache-control" not in headers:
        # Everything behind sign-in must not land in shared or back/forward caches.
        headers["Cache-Control"] = "no-store"


class SecurityHeadersMiddleware:
    """Adds the headers of apply() to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply(MutableHeaders(scope=message), request)
            await send(message)

        await self.app(scope, receive, send_with_headers)
