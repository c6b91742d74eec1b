"""create_app(): routers, middleware, exception handlers, lifespan."""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
import httpx2
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

from app import logging_setup, wiring
from app.account import change_routes as account_change_routes
from app.account import privacy_routes
from app.account import routes as account_routes
from app.admin import routes as admin_routes
from app.attachments import routes as attachment_routes
from app.attachments import storage as attachment_storage
from app.auth import routes as auth_routes
from app.auth.deps import LoginRequired
from app.auth.oidc import ProviderRegistry
from app.circle_pages import manage_routes as circle_manage_routes
from app.circle_pages import routes as circle_routes
from app.circle_pages import topics as topic_routes
from app.comments import routes as comment_routes
from app.config import Settings, get_settings
from app.dashboard import routes as dashboard_routes
from app.dates import routes as date_routes
from app.db import engine_from_settings, make_session_factory
from app.export import admin_routes as export_admin_routes
from app.export import api_routes as export_api
from app.export import file_routes as export_file_routes
from app.export import public_routes as export_public_routes
from app.export import routes as export_routes
from app.membership import change_routes as membership_change_routes
from app.membership import contact_routes as membership_contact_routes
from app.membership import dev_routes as dev_login_routes
from app.membership import moderation_routes as membership_moderation_routes
from app.membership import organisation_routes
from app.membership import routes as membership_routes
from app.membership import service as membership_service
from app.messages import moderation_routes as message_moderation_routes
from app.messages import routes as message_routes
from app.moderation import audit_routes as moderation_audit_routes
from app.moderation import routes as moderation_routes
from app.notifications import message_mentions
from app.notifications import routes as notification_routes
from app.outbox import dev_routes as dev_mail_routes
from app.search import routes as search_routes
from app.vorhaben import (
    co_editor_routes,
    cooperation_routes,
    handover_routes,
    municipality_routes,
    profile_routes,
)
from app.vorhaben import routes as vorhaben_routes
from app.web import errors, templating
from app.web import routes as shell_routes
from app.web.guard import RequestGuard
from app.web.headers import SecurityHeadersMiddleware
from app.web.static import CachedStaticFiles
from app.web.templating import STATIC_DIR


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    oidc_transport: httpx2.BaseTransport | None = None,
) -> FastAPI:
    """Build the application; tests pass their own settings, engine and session factory."""
    settings = settings or get_settings()
    logging_setup.configure(settings)
    engine = engine or engine_from_settings(settings)
    # Mappers are configured on first use; doing it here keeps it out of the request
    # threads, which would otherwise race each other at the first requests after a start.
    configure_mappers()
    wiring.wire()  # the reactions between domains (app.events), before the first request
    attachment_storage.from_settings(settings)  # an unusable storage stops the start here
    owns_engine = session_factory is None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Route functions run in threads. Past a few, more threads only fight over the GIL:
        # under load, CPU time per request rose by half with Starlette's default of 40.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        if getattr(_app.state, "serving", False):
            settle_heap()
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="Allmende",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory or make_session_factory(engine)
    app.state.oidc = ProviderRegistry(settings, transport=oidc_transport)
    # Where a non-member lands after signing in: membership knows, auth asks (see auth.routes).
    app.state.applicant_landing = membership_service.landing_path

    errors.install(app, login_required=LoginRequired)
    for router in routers():
        app.include_router(router)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")

    # Added last = runs first: headers wrap everything, the guard runs before any route.
    app.add_middleware(RequestGuard, settings=settings, upload_paths=attachment_routes.UPLOAD_PATHS)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(logging_setup.AccessLogMiddleware)
    return app


def routers() -> tuple[APIRouter, ...]:
    """Every router, the busiest pages first: a request is matched against the routes in
    this order (no path is answered by two routes, tests/test_routes.py)."""
    return (
        vorhaben_routes.router,
        dashboard_routes.router,
        circle_routes.router,
        circle_manage_routes.router,
        topic_routes.router,
        search_routes.router,
        comment_routes.router,
        attachment_routes.router,
        date_routes.router,
        cooperation_routes.router,
        notification_routes.router,
        message_routes.router,
        message_mentions.router,
        municipality_routes.router,
        profile_routes.router,
        shell_routes.router,
        auth_routes.router,
        dev_login_routes.router,
        membership_routes.router,
        account_routes.router,
        membership_moderation_routes.router,
        organisation_routes.router,
        membership_change_routes.router,
        membership_contact_routes.router,
        account_change_routes.router,
        handover_routes.router,
        co_editor_routes.router,
        moderation_audit_routes.router,
        admin_routes.router,
        export_routes.router,
        export_file_routes.router,
        export_admin_routes.router,
        export_public_routes.router,
        export_api.router,
        moderation_routes.router,
        message_moderation_routes.router,
        privacy_routes.router,
        dev_mail_routes.router,
    )


def settle_heap() -> None:
    """Compile every template, then move what lives for the whole process out of the
    garbage collector's sight (gc.freeze). A full collection otherwise walks ~190,000
    long-lived objects: a pause of 150 ms every few hundred requests, seen in p95 and p99.
    Also limits glibc's malloc to two arenas (before the request threads start): each of
    the 40 worker threads otherwise gets an arena of its own that keeps freed memory."""
    templating.precompile()
    _limit_malloc_arenas()
    gc.collect()
    gc.freeze()


M_ARENA_MAX = -8  # glibc's mallopt() parameter (malloc.h)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """mallopt(M_ARENA_MAX) where the C library is glibc (MALLOC_ARENA_MAX, set at run time)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):  # another C library (musl): nothing to limit
        return


def app_factory() -> Any:
    """Entry point for uvicorn --factory (used by `allmende serve`)."""
    app = create_app()
    app.state.serving = True  # a server process, not a test: settle_heap() at start
    return app
