"""Logs: one JSON object per line with the caller's details, never a query string."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.config import Settings
from app.logging_setup import AccessLogMiddleware, configure, redact_path


def _lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_stdlib_records_keep_their_extra_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure(Settings(log_json=True))
    logging.getLogger("allmende.webhooks").warning(
        "webhook delivery failed", extra={"outbox_id": 7, "error": "HTTP 503"}
    )
    [line] = [item for item in _lines(capsys.readouterr().err) if item["logger"] != "root"]
    assert line["event"] == "webhook delivery failed"
    assert line["level"] == "warning"
    assert line["outbox_id"] == 7
    assert line["error"] == "HTTP 503"
    assert "timestamp" in line


def test_access_log_has_the_path_without_the_query(capsys: pytest.CaptureFixture[str]) -> None:
    configure(Settings(log_json=True))

    def callback(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/auth/callback/sso", callback)])
    app.add_middleware(AccessLogMiddleware)
    with TestClient(app) as client:
        assert client.get("/auth/callback/sso?code=SECRET-CODE&state=xyz").status_code == 200
        client.get("/healthz")
    err = capsys.readouterr().err
    assert "SECRET-CODE" not in err
    requests = [line for line in _lines(err) if line["event"] == "request"]
    assert len(requests) == 1  # health checks are not logged
    assert requests[0]["path"] == "/auth/callback/sso"
    assert requests[0]["status"] == 200
    assert requests[0]["method"] == "GET"


def test_uvicorn_lines_carry_no_colour_markup(capsys: pytest.CaptureFixture[str]) -> None:
    """uvicorn adds a `color_message` copy of each message for its own formatter; the
    console showed it (escape codes and all) at the end of every line."""
    configure(Settings(log_json=False))
    # A logger of its own: uvicorn's may carry a level another test's server set.
    logger = logging.getLogger("tests.uvicorn_like")
    logger.setLevel(logging.INFO)
    logger.info(
        "Uvicorn running on %s",
        "http://127.0.0.1:8000",
        extra={"color_message": "Uvicorn running on \x1b[1m%s\x1b[0m"},
    )
    err = capsys.readouterr().err
    assert "Uvicorn running on http://127.0.0.1:8000" in err
    assert "color_message" not in err and "\x1b[" not in err


def test_secret_paths_are_redacted_in_the_access_log(capsys: pytest.CaptureFixture[str]) -> None:
    """The calendar feed's address is its credential: the log keeps only its kind."""
    configure(Settings(log_json=True))

    def feed(request: object) -> PlainTextResponse:
        return PlainTextResponse("BEGIN:VCALENDAR")

    app = Starlette(routes=[Route("/kalender/{token}.ics", feed)])
    app.add_middleware(AccessLogMiddleware)
    with TestClient(app) as client:
        assert client.get("/kalender/SECRET-FEED-TOKEN.ics").status_code == 200
    err = capsys.readouterr().err
    assert "SECRET-FEED-TOKEN" not in err
    [request] = [line for line in _lines(err) if line["event"] == "request"]
    assert request["path"] == "/kalender/[redacted]"
    assert redact_path("/vorhaben/1") == "/vorhaben/1"
