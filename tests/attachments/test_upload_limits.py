"""The request guard lets upload forms grow to the file limit, no further, and stops
reading a body once it is past it (chunked, without a length): nothing is held whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.types import Message

from app.web import csrf
from tests import factories

LIMIT = 300_000
CHUNK = 64 * 1024


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"attachment_dir": str(tmp_path / "anhaenge"), "attachment_max_file_bytes": LIMIT}


def _send_endless_upload(app: FastAPI, path: str, token: str, cookie: str) -> tuple[int, int]:
    """POST an endless chunked multipart body straight into the ASGI app; returns the
    status and how many chunks the app asked for before answering."""
    asked = 0
    status = 0

    async def receive() -> Message:
        nonlocal asked
        asked += 1
        if asked > 10_000:  # the guard never stopped: give up rather than hang
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": True}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=abc"),
            (b"transfer-encoding", b"chunked"),
            (b"x-csrf-token", token.encode()),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    return status, asked


def test_an_endless_chunked_upload_is_cut_off_at_the_limit(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner)
    factories.login(client, db, owner)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    for path in (f"/vorhaben/{vorhaben.id}/anhaenge", f"/vorhaben/{vorhaben.id}/comments"):
        status, asked = _send_endless_upload(app, path, token, cookie)
        assert status == 413
        # The file limit plus room for the rest of the form (1 MiB; at least the general
        # limit of 2 MiB), then it stopped reading.
        assert asked <= max(2_097_152, LIMIT + 1024 * 1024) // CHUNK + 2


def test_other_forms_keep_the_general_body_limit(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben")
    # A multipart form to a path that takes no file: 2 MB as before.
    response = client.post(
        "/sprache",
        data={"csrf_token": token, "lang": "de"},
        files={"datei": ("gross.pdf", b"x" * 2_200_000, "application/pdf")},
    )
    assert response.status_code == 413
    # An upload path sent as an ordinary form: 2 MB too.
    vorhaben = factories.vorhaben(db, factories.account(db))
    response = client.post(
        f"/vorhaben/{vorhaben.id}/comments",
        data={"csrf_token": token, "body": "x" * 2_200_000},
        headers={csrf.HEADER: token},
    )
    assert response.status_code == 413
