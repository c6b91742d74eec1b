"""Structured logs (structlog over stdlib logging) and an access log without query strings.

Query strings are never logged: the OIDC callback carries authorization codes in them.
Paths that are themselves secrets (the personal calendar feed, whose address is its only
credential) are logged with the secret part replaced.
"""

from __future__ import annotations

import logging
import re
import sys
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

access_log = structlog.get_logger("allmende.access")

# Paths whose segments are credentials, and what the log shows instead.
_SECRET_PATHS = ((re.compile(r"^/kalender/[^/]*"), "/kalender/[redacted]"),)


def redact_path(path: str) -> str:
    """The path as the access log may show it (secret segments replaced)."""
    for pattern, replacement in _SECRET_PATHS:
        path = pattern.sub(replacement, path)
    return path


def _drop_colour_copy(
    logger: object, method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    """uvicorn passes a copy of each message with terminal colour codes as the extra
    `color_message` (for its own formatter); ours would print it as a field."""
    event_dict.pop("color_message", None)
    return event_dict


def configure(settings: Settings) -> None:
    """Route stdlib and structlog records through one formatter (JSON in production)."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_colour_copy,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json or settings.is_production
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("uvicorn.access").disabled = True
    # Alembic announces its context on every readiness probe; keep the log for real news.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    # HTTP clients log full URLs (webhook targets may carry tokens in them).
    for chatty in ("httpx2", "httpx", "httpcore", "httpcore2"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


class AccessLogMiddleware:
    """One line per request: method, path (no query), status, duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            path = scope["path"]
            if not path.startswith("/static/") and path not in {"/healthz", "/readyz"}:
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=redact_path(path),
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )
