"""Public pages of the shell: health checks, legal pages, language choice."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app import i18n, migrate
from app.db import read_only
from app.legal import texts
from app.web import deps, routing
from app.web.guard import LOCALE_COOKIE
from app.web.safe_redirect import local_path
from app.web.templating import render

router = routing.router()


@router.get("/healthz", include_in_schema=False)
def healthz() -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", include_in_schema=False, dependencies=[deps.DATABASE_SLOT])
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and is migrated to head. With a turn of its own,
    like every request with a unit of work (app.web.deps.database_slot)."""
    session = read_only(request.app.state.session_factory())
    try:
        connection = session.connection()
        connection.execute(text("SELECT 1"))
        migrated = migrate.is_up_to_date(connection)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)
    finally:
        session.close()
    if not migrated:
        return JSONResponse({"status": "unavailable", "reason": "migrations"}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/impressum", include_in_schema=False)
def impressum(request: Request) -> Response:
    """The operator's imprint."""
    body = texts.impressum_html(request.app.state.settings)
    return render(
        request, "pages/impressum.html", {"page_title": i18n.gettext("Impressum"), "body": body}
    )


@router.get("/datenschutz", include_in_schema=False)
def datenschutz(request: Request) -> Response:
    """The operator's privacy notice."""
    body = texts.datenschutz_html(request.app.state.settings)
    return render(
        request,
        "pages/datenschutz.html",
        {"page_title": i18n.gettext("Datenschutzerklärung"), "body": body},
    )


@router.post("/sprache", include_in_schema=False)
def choose_language(
    request: Request,
    lang: Annotated[str, Form(max_length=5)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Remember the visitor's language (German or English) in a cookie."""
    response = RedirectResponse(local_path(next), status_code=303)
    if lang in i18n.LOCALES:
        response.set_cookie(
            LOCALE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.https,
        )
    return response
