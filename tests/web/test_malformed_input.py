"""Malformed input is refused at the door with a 400, never a 500 (CONTRACT.md: nothing a
client sends produces a 5xx): NUL bytes and other control characters, percent-encoding that
is not UTF-8, non-ASCII security headers; cookies that do not parse are ignored.

PostgreSQL refuses NUL in every text parameter (psycopg raises DataError), so a NUL that
reached a query was a 500 there, and uvicorn then dropped the kept-alive connection. The
walker below therefore talks to a real uvicorn over one connection per browser.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.auth import sessions
from app.auth.access import RouteInfo, iter_routes
from app.web import csrf, flash
from app.web.errors import JSON_PREFIXES
from tests import factories
from tests.web.live import Browser, serving

# As sent on the wire (already percent-encoded): NUL, ESC, bytes that are no UTF-8, a
# truncated sequence, an overlong encoding of "/".
MALFORMED = ["%00", "a%00b", "%1B%5B31m", "%FF%FE", "%C3%28", "%E2%82", "%C0%AF"]

# Path parameters of requests whose query or body is malformed: an id nobody has, so a
# request the guard lets through cannot act on the walker's own account.
NOBODY = "2147483000"
CONTRACT_FIELDS = ["title", "body", "q", "reason", "position", "decision", "action", "next"]
SKIPPED = {("POST", "/logout"), ("POST", "/konto/loeschen")}


def _declared(route: RouteInfo) -> list[str]:
    if route.dependant is None:
        return []
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names |= {param.alias for param in dependant.query_params + dependant.body_params}
        pending.extend(dependant.dependencies)
    return sorted(names | set(CONTRACT_FIELDS))


def _with_path(route: RouteInfo, value: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", value, route.path)


@pytest.fixture
def live(app: FastAPI) -> Iterator[int]:
    with serving(app) as port:
        yield port


@pytest.fixture
def opened() -> Iterator[list[Browser]]:
    browsers: list[Browser] = []
    yield browsers
    for browser in browsers:
        browser.close()


def _browser(port: int, db: Session, app: FastAPI, role: str, opened: list[Browser]) -> Browser:
    browser = Browser(port)
    opened.append(browser)
    if role != "anonymous":
        who = factories.account(
            db,
            role=Role.MODERATOR if role == "moderator" else Role.MEMBER,
            municipality=factories.municipality(db, f"Stadt der Rolle {role}"),
        )
        factories.vorhaben(db, who, "Offene Daten")
        token = sessions.create(db, app.state.settings, who, provider="sso", auth_time=None).token
        db.flush()
        browser.cookies[csrf.session_cookie_name(app.state.settings)] = token
    return browser


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_nul_bytes_and_invalid_utf8_on_every_route_are_a_400_and_keep_the_connection(
    app: FastAPI, db: Session, live: int, role: str, opened: list[Browser]
) -> None:
    browser = _browser(live, db, app, role, opened)
    token = browser.csrf_token("/login" if role == "anonymous" else "/")
    calls = 0
    problems = []
    for route in iter_routes(app):
        if route.method == "HEAD" or (route.method, route.path) in SKIPPED:
            continue
        names = _declared(route)
        json_surface = route.path.startswith(JSON_PREFIXES) or route.path in {
            "/healthz",
            "/readyz",
        }
        for bad in MALFORMED:
            attempts: list[tuple[str, str, bytes | None]] = []
            if "{" in route.path:
                attempts.append(("path", _with_path(route, bad), None))
            query = "&".join(f"{name}={bad}" for name in names or ["q"])
            attempts.append(("query", f"{_with_path(route, NOBODY)}?{query}", None))
            if route.method != "GET":
                form = "&".join(f"{name}={bad}" for name in names)
                sent = f"{form}&csrf_token={token}".encode()
                attempts.append(("form", _with_path(route, NOBODY), sent))
            for where, target, payload in attempts:
                status, content, response = browser.request(route.method, target, payload)
                calls += 1
                if where == "form" and bad.startswith("%1B"):
                    # Left to the form's validation (a field error that keeps the form).
                    if status >= 500:
                        problems.append((route.method, route.path, where, bad, status, ""))
                    continue
                kind = response.headers.get("content-type", "")
                expected = "application/json" if json_surface else "text/html; charset=utf-8"
                if status != 400 or kind != expected or b"\x00" in content or b"\x1b" in content:
                    problems.append((route.method, route.path, where, bad, status, kind))
    assert calls > 1000  # the walker really walked
    assert problems == []
    # The connection and the browser's session still work.
    if role == "anonymous":
        assert browser.request("GET", "/login")[0] == 200
    else:
        status, content, _response = browser.request("GET", "/vorhaben")
        assert status == 200 and b"Offene Daten" in content


@pytest.mark.parametrize(
    "target",
    [
        "/p/%00",
        "/api/v1/projects/%00",
        "/kommunen/%00",
        "/vorhaben?municipality=%00",
        "/moderation/reports/vorhaben/%00",
        "/p/%FF",
    ],
)
def test_the_reported_nul_paths_are_refused_as_a_moderator(
    app: FastAPI, db: Session, live: int, target: str, opened: list[Browser]
) -> None:
    browser = _browser(live, db, app, "moderator", opened)
    status, content, _response = browser.request("GET", target)
    assert status == 400
    if target.startswith("/api/"):
        assert json.loads(content)["error"]["status"] == 400
    else:
        page = content.decode()
        assert '<html lang="de"' in page and "<h1>Ungültige Anfrage</h1>" in page
        assert "nicht erlaubt" in page
    assert browser.request("GET", "/healthz")[0] == 200


def test_the_refusal_page_is_in_the_browsers_language(client: TestClient) -> None:
    response = client.get("/vorhaben?municipality=%00", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.text


def test_a_form_field_with_a_nul_byte_is_refused(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        content=f"title=Bau%00antrag&stage=idee&csrf_token={token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "nicht erlaubt" in response.text


def test_a_multipart_field_with_a_nul_byte_is_refused(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        files={"title": (None, "Bau\x00antrag"), "stage": (None, "idee")},
        data={"csrf_token": token},
    )
    assert response.status_code == 400


def test_other_control_characters_in_a_text_field_keep_the_form(
    client: TestClient, db: Session
) -> None:
    """A vertical tab pasted from a word processor is a field error, not a lost form."""
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        data={"title": "Bauantrag\x0bdigital", "stage": "idee", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "Steuerzeichen (U+000B)" in response.text
    assert "digital" in response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "Bau\\u0000antrag"}',
        b'{"\\u0000": 1}',
        b'{"title": "\xff"}',
        b'{"title": ',
    ],
)
def test_json_bodies_with_nul_bytes_or_broken_encoding_are_refused(
    client: TestClient, db: Session, body: bytes
) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        content=body,
        headers={"Content-Type": "application/json", csrf.HEADER: token},
    )
    assert response.status_code == 400


def test_a_non_ascii_csrf_header_is_a_400(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/sprache", data={"lang": "en"}, headers={csrf.HEADER.encode(): "tökén".encode()}
    )
    assert response.status_code == 400
    assert "<h1>Ungültige Anfrage</h1>" in response.text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Origin", "http://tëstserver".encode()),
        ("Sec-Fetch-Site", b"same-origin\x00"),
        (csrf.HEADER, b"abc\x01def"),
        ("Authorization", "Bearer schlüssel".encode()),
    ],
)
def test_malformed_security_headers_are_a_400(client: TestClient, name: str, value: bytes) -> None:
    token = factories.csrf_token(client)
    response = client.post(
        "/sprache", data={"lang": "en", "csrf_token": token}, headers={name.encode(): value}
    )
    assert response.status_code == 400


def test_a_malformed_authorization_header_on_the_api_is_a_json_400(client: TestClient) -> None:
    response = client.get("/api/v1/projects", headers={b"Authorization": "Bearer äöü".encode()})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def _flash_payload(payload: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_a_flash_cookie_with_a_non_ascii_signature_is_ignored(client: TestClient) -> None:
    value = _flash_payload({"m": "Gespeichert.", "k": "success"}) + ".sïgnatur"
    for _ in range(2):  # not only once: the page keeps working for this browser
        response = client.get("/login", headers={b"Cookie": f"{flash.COOKIE}={value}".encode()})
        assert response.status_code == 200
        assert "Gespeichert." not in response.text


@pytest.mark.parametrize(
    "cookie",
    [
        "allmende_session=sitzung-ä".encode(),
        "allmende_session=sitzung-ä".encode("latin-1"),
        b"allmende_session=\x00\x01\x02",
        b'allmende_session="\\000abc"',
        b"allmende_session",
        b"allmende_session=;;;=;",
        b"allmende_csrf=\xff\xfe; allmende_lang=\xc3",
        b"allmende_session=" + b"A" * 4000,
    ],
)
def test_non_ascii_and_garbage_session_cookies_are_ignored(
    client: TestClient, db: Session, cookie: bytes
) -> None:
    start = client.get("/", headers={b"Cookie": cookie})
    assert start.status_code == 303 and start.headers["location"] == "/login"
    page = client.get("/login", headers={b"Cookie": cookie})
    assert page.status_code == 200 and "Anmelden" in page.text


def test_a_valid_session_beside_a_garbage_cookie_still_signs_in(
    client: TestClient, db: Session
) -> None:
    token = factories.login(client, db, factories.account(db, "Greta Gültig"))
    client.cookies.clear()
    cookie = f"stray=\xff; allmende_session={token}".encode("latin-1")
    response = client.get("/konto", headers={b"Cookie": cookie})
    assert response.status_code == 200 and "Greta Gültig" in response.text


@pytest.mark.parametrize("settings_overrides", [{"base_url": "https://allmende.example"}])
def test_the_flash_cookie_is_host_prefixed_under_https(client: TestClient, db: Session) -> None:
    site = "https://allmende.example"
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, f"{site}/vorhaben/new")
    created = client.post(
        f"{site}/vorhaben/new", data={"title": "Bauantrag", "stage": "idee", "csrf_token": token}
    )
    assert created.status_code == 303
    cookie = next(value for value in created.headers.get_list("set-cookie") if "flash" in value)
    assert cookie.startswith("__Host-allmende_flash=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain") for part in attributes)
    # The browser sends it back over https and sees the message once.
    page = client.get(site + created.headers["location"])
    assert "Ihr Vorhaben ist angelegt." in page.text
    assert "Ihr Vorhaben ist angelegt." not in client.get(site + created.headers["location"]).text


def test_umlauts_line_breaks_and_a_literal_percent_pass_the_guard(
    client: TestClient, db: Session
) -> None:
    """What browsers send for ordinary text is not mistaken for malformed input."""
    factories.login(client, db, factories.account(db))
    for target in ("/suche?q=M%C3%BCll+%26+Stra%C3%9Fe", "/suche?q=a%0D%0Ab%09c", "/suche?q=100%"):
        assert client.get(target).status_code == 200, target
    token = factories.csrf_token(client, "/vorhaben/new")
    created = client.post(
        "/vorhaben/new",
        data={
            "title": "Grünflächen-Kataster",
            "description": "Zeile eins\r\n\tZeile zwei",
            "stage": "idee",
            "csrf_token": token,
        },
    )
    assert created.status_code == 303
    assert "Grünflächen-Kataster" in client.get(created.headers["location"]).text
