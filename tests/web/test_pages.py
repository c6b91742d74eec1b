"""Health checks, legal pages, language choice, the sign-in redirect."""

from __future__ import annotations

import re
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import load_settings
from app.db import make_engine
from app.main import create_app


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_on_a_migrated_database(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_on_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blank.db'}"
    engine: Engine = make_engine(url)
    app = create_app(load_settings(env="test", database_url=url), engine=engine)
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "migrations"
    engine.dispose()


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(load_settings(env="test", database_url=url))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503


def test_anonymous_visitors_are_sent_to_login(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize(
    ("path", "heading"), [("/impressum", "Impressum"), ("/datenschutz", "Datenschutzerklärung")]
)
def test_legal_pages_are_public(client: TestClient, path: str, heading: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.text


def test_the_operator_sets_the_imprint(tmp_path: Path, database_url: str) -> None:
    text = tmp_path / "impressum.md"
    text.write_text(
        "# Stadt Musterhausen\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        encoding="utf-8",
    )
    app = create_app(load_settings(env="test", database_url=database_url, impressum_file=str(text)))
    with TestClient(app) as client:
        html = client.get("/impressum").text
    assert "Stadt Musterhausen" in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html


def test_language_switch_keeps_the_page_and_only_local_targets(client: TestClient) -> None:
    page = client.get("/impressum")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/sprache", data={"lang": "en", "next": "/impressum", "csrf_token": token.group(1)}
    )
    assert response.headers["location"] == "/impressum"
    assert '<html lang="en">' in client.get("/impressum").text
    evil = client.post(
        "/sprache", data={"lang": "de", "next": "//evil.example", "csrf_token": token.group(1)}
    )
    assert evil.headers["location"] == "/"


def test_request_threads_follow_the_setting(tmp_path: Path) -> None:

    url = f"sqlite:///{tmp_path / 'threads.db'}"
    app = create_app(load_settings(env="test", database_url=url, request_threads=3))
    with TestClient(app) as client:
        tokens = client.portal.call(  # type: ignore[union-attr]
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
    assert tokens == 3
