"""Error pages: accessible German HTML for pages, JSON under /api/, never a 500 for input."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from app.auth.deps import LoginRequired
from app.config import Settings
from app.core.errors import DomainError
from app.web import errors

pytestmark = pytest.mark.commits


def test_unknown_page_is_a_german_404_page(client: TestClient) -> None:
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Seite nicht gefunden</h1>" in response.text
    assert '<html lang="de">' in response.text
    assert 'href="#main"' in response.text  # the skip link is there on error pages too


def test_unknown_api_route_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/gibt-es-nicht")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    response = client.delete("/impressum")
    assert response.status_code in {403, 405}


def test_english_error_page_when_the_browser_asks(client: TestClient) -> None:
    response = client.get("/gibt-es-nicht", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Page not found" in response.text


def test_an_unexpected_error_renders_the_500_page(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaputt")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Interner Fehler" in response.text
    assert "kaputt" not in response.text
    assert "content-security-policy" in response.headers


def test_the_shell_redirects_to_the_sign_in_for_the_error_it_is_given(settings: Settings) -> None:
    """web.errors knows no auth: create_app hands it the error that asks for a sign-in."""

    class SignInFirst(DomainError):
        status_code = 401

    app = FastAPI()
    app.state.settings = settings
    errors.install(app, login_required=SignInFirst)

    @app.get("/geheim")
    def secret() -> None:
        raise SignInFirst()

    @app.get("/api/v1/geheim")
    def secret_api() -> None:
        raise SignInFirst()

    with TestClient(app) as client:
        page = client.get("/geheim?x=1", follow_redirects=False)
        api = client.get("/api/v1/geheim")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fgeheim%3Fx%3D1"
    assert api.status_code == 401 and api.json()["error"]["status"] == 401


def test_the_app_registers_auth_s_sign_in_error(app: FastAPI) -> None:
    assert app.exception_handlers[LoginRequired] is errors.redirect_to_login
