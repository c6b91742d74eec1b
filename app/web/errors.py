"""One renderer per surface: accessible HTML error pages, JSON errors under /api/."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.core.errors import DomainError, Overloaded, RateLimited, ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.web import headers
from app.web.templating import render

log = logging.getLogger("allmende.web")

TITLES = {
    400: N_("Ungültige Anfrage"),
    401: N_("Anmeldung erforderlich"),
    403: N_("Kein Zugriff"),
    404: N_("Seite nicht gefunden"),
    405: N_("Methode nicht erlaubt"),
    409: N_("Konflikt"),
    410: N_("Nicht mehr verfügbar"),
    413: N_("Anfrage zu groß"),
    415: N_("Format nicht unterstützt"),
    422: N_("Eingaben unvollständig"),
    429: N_("Zu viele Anfragen"),
    500: N_("Interner Fehler"),
    503: N_("Vorübergehend nicht verfügbar"),
}

EXPLANATIONS = {
    400: N_("Die Anfrage war fehlerhaft und konnte nicht verarbeitet werden."),
    401: N_("Bitte melden Sie sich an."),
    403: N_("Sie haben keinen Zugriff auf diese Seite."),
    404: N_("Diese Seite gibt es nicht oder nicht mehr."),
    405: N_("Diese Adresse unterstützt die verwendete Methode nicht."),
    409: N_("Das wurde inzwischen geändert. Bitte laden Sie die Seite neu."),
    410: N_("Dieser Inhalt wurde zurückgezogen."),
    413: N_("Die gesendeten Daten sind zu groß."),
    415: N_("Das Format der gesendeten Daten wird nicht unterstützt."),
    422: N_("Bitte prüfen Sie Ihre Eingaben."),
    429: N_("Zu viele Anfragen. Bitte warten Sie einen Moment und versuchen Sie es erneut."),
    500: N_("Etwas ist schiefgegangen. Wir wurden benachrichtigt; bitte versuchen Sie es später."),
    503: N_("Der Dienst ist gerade nicht verfügbar. Bitte versuchen Sie es später."),
}

JSON_PREFIXES = ("/api/", "/auth/backchannel-logout/")


def wants_json(request: Request) -> bool:
    """The public API and machine endpoints answer in JSON; everything else in HTML."""
    return request.url.path.startswith(JSON_PREFIXES) or request.url.path in {
        "/healthz",
        "/readyz",
    }


def error_response(
    request: Request,
    status_code: int,
    detail: str | None = None,
    *,
    extra_headers: Mapping[str, str] | None = None,
    errors: Any = None,
) -> Response:
    """An error in the surface's format, with the security headers already applied."""
    title = _(TITLES.get(status_code, "Fehler"))
    message = detail or _(EXPLANATIONS.get(status_code, "Die Anfrage ist fehlgeschlagen."))
    response: Response
    if wants_json(request):
        body: dict[str, Any] = {"error": {"status": status_code, "title": title, "detail": message}}
        if errors is not None:
            body["error"]["errors"] = errors
        response = JSONResponse(body, status_code=status_code)
    else:
        try:
            response = render(
                request,
                "errors/error.html",
                {"status_code": status_code, "title": title, "message": message},
                status_code=status_code,
            )
        except Exception:  # the error page itself must never fail
            log.exception("rendering the error page failed")
            response = Response(
                f"{status_code} {title}\n{message}\n",
                status_code=status_code,
                media_type="text/plain; charset=utf-8",
            )
    for name, value in (extra_headers or {}).items():
        response.headers[name] = value
    headers.apply(response.headers, request)
    return response


async def _http_exception(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
    if detail and detail in {"Not Found", "Method Not Allowed", "Forbidden", "Bad Request"}:
        detail = None
    return error_response(request, exc.status_code, detail, extra_headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")} for error in exc.errors()
    ]
    status = 400 if wants_json(request) else 422
    return error_response(request, status, _("Die Eingaben sind ungültig."), errors=errors)


async def _domain_error(request: Request, exc: Exception) -> Response:
    exc = cast(DomainError, exc)
    extra: dict[str, str] = {}
    if isinstance(exc, RateLimited | Overloaded):
        extra["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401 and (wants_json(request) or request.url.path.startswith("/feeds/")):
        extra["WWW-Authenticate"] = 'Bearer realm="allmende"'

    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    return error_response(request, exc.status_code, exc.message, extra_headers=extra, errors=errors)


async def redirect_to_login(request: Request, exc: Exception) -> Response:
    """The handler for "sign in first" (auth's LoginRequired, which create_app registers
    with it): a page sends the browser to the sign-in with its way back; the API answers
    like any domain error."""
    if wants_json(request):
        return await _domain_error(request, exc)
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = "/login"
    if request.method == "GET" and target != "/":
        location += "?" + urlencode({"next": target})
    if request.headers.get("HX-Request") == "true":
        response: Response = Response(status_code=204, headers={"HX-Redirect": location})
    else:
        response = RedirectResponse(location, status_code=303)
    headers.apply(response.headers, request)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc)
    return error_response(request, 500)


def install(app: FastAPI, *, login_required: type[DomainError] | None = None) -> None:
    """Register the handlers on the app; an exception that asks for a sign-in (the shell
    knows no auth: create_app passes auth's LoginRequired) redirects to /login."""
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    if login_required is not None:
        app.add_exception_handler(login_required, redirect_to_login)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(Exception, _server_error)
