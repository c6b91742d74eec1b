"""Security behaviour anyone can observe: headers, CSRF, cross-site refusal, body limits."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import load_settings
from app.main import create_app
from app.web import csrf
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.commits


def _csrf_from(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match, "every page carries the CSRF token in a meta tag"
    return match.group(1)


@pytest.mark.parametrize(
    "path", ["/login", "/impressum", "/healthz", "/nope", "/static/css/app.css"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # only in production


def test_pages_are_not_cached_but_versioned_assets_are(client: TestClient) -> None:
    assert client.get("/login").headers["cache-control"] == "no-store"
    asset = client.get("/static/css/app.css?v=1")
    assert "immutable" in asset.headers["cache-control"]


def test_html_has_no_inline_script_or_style(client: TestClient) -> None:
    html = client.get("/login").text
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert re.findall(r"<script[^>]*src=\"(/[^\"]+)\"", html)
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


def test_a_post_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/sprache", data={"lang": "en"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_a_post_without_any_cookie_is_refused(client: TestClient) -> None:
    response = client.post("/sprache", data={"lang": "en", "csrf_token": "forged"})
    assert response.status_code == 403


def test_a_post_with_the_token_succeeds_by_form_field_or_header(client: TestClient) -> None:
    token = _csrf_from(client)
    by_field = client.post("/sprache", data={"lang": "en", "csrf_token": token, "next": "/login"})
    assert by_field.status_code == 303 and by_field.headers["location"] == "/login"
    by_header = client.post("/sprache", data={"lang": "de"}, headers={csrf.HEADER: token})
    assert by_header.status_code == 303


def test_a_token_from_another_browser_is_refused(client: TestClient, app: object) -> None:
    token = _csrf_from(client)
    with TestClient(app, follow_redirects=False) as other:  # type: ignore[arg-type]
        other.get("/login")
        response = other.post("/sprache", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_requests_are_refused_even_with_a_token(
    client: TestClient, headers: dict[str, str]
) -> None:
    token = _csrf_from(client)
    response = client.post("/sprache", data={"lang": "en", "csrf_token": token}, headers=headers)
    assert response.status_code == 403


def test_same_origin_requests_pass(client: TestClient) -> None:
    token = _csrf_from(client)
    response = client.post(
        "/sprache",
        data={"lang": "en", "csrf_token": token},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 303


def test_an_oversized_body_gets_413_with_a_length(client: TestClient) -> None:
    token = _csrf_from(client)
    big = "x" * (2_097_152 + 10)
    response = client.post("/sprache", data={"lang": big, "csrf_token": token})
    assert response.status_code == 413
    assert "zu groß" in response.text


def test_an_oversized_chunked_body_gets_413(client: TestClient) -> None:
    token = _csrf_from(client)

    def chunks() -> object:
        for _ in range(40):
            yield b"a" * 65536

    response = client.post(
        "/sprache",
        content=chunks(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/x-www-form-urlencoded", csrf.HEADER: token},
    )
    assert response.status_code == 413


def test_a_bogus_content_length_is_400(client: TestClient) -> None:
    response = client.post("/sprache", content=b"lang=en", headers={"Content-Length": "abc"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "text/plain", "garbage"],
)
def test_a_malformed_content_type_is_a_clear_4xx(client: TestClient, content_type: str) -> None:
    token = _csrf_from(client)
    response = client.post(
        "/sprache",
        content=b"lang=en",
        headers={"Content-Type": content_type, csrf.HEADER: token},
    )
    assert 400 <= response.status_code < 500


def test_get_logout_is_not_allowed(client: TestClient) -> None:
    assert client.get("/sprache").status_code == 405


def test_the_csrf_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("settings_overrides", [{"base_url": "https://allmende.example"}])
def test_on_https_cookies_are_secure_and_host_prefixed(client: TestClient) -> None:
    response = client.get("https://allmende.example/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-allmende_csrf=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


@pytest.mark.parametrize(
    "settings_overrides", [{"base_url": "https://allmende.example", "dev_login": True}]
)
def test_on_https_the_session_cookie_is_secure_host_prefixed_and_httponly(
    client: TestClient,
) -> None:
    page = client.get("https://allmende.example/dev/login")
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert token
    response = client.post(
        "https://allmende.example/dev/login",
        data={"csrf_token": token.group(1), "persona": "leipzig"},
    )
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    session = next(cookie for cookie in cookies if cookie.startswith("__Host-allmende_session="))
    attributes = [part.strip().lower() for part in session.split(";")]
    assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
    assert "samesite=lax" in attributes
    assert not any(part.startswith("domain") for part in attributes)
    assert not any(cookie.startswith("allmende_session=") for cookie in cookies)
    # The browser sends it back over https and is signed in.
    assert client.get("https://allmende.example/konto").status_code == 200


def test_production_sends_hsts(
    database_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    production = load_settings(
        env="production",
        database_url=database_url,
        secret_key=TEST_SECRET,
        base_url="https://allmende.example",
    )
    app = create_app(production, engine=engine, session_factory=session_factory)
    with TestClient(app, base_url="https://allmende.example", follow_redirects=False) as client:
        for path in ("/login", "/healthz", "/gibt-es-nicht"):
            hsts = client.get(path).headers.get("strict-transport-security", "")
            assert "max-age=63072000" in hsts, path
