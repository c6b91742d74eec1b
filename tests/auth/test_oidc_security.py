"""Security paths against the certified Node `oidc-provider`, which requires PKCE (S256).

Tokens the tests tamper with are re-signed with the provider's own key, so each case fails
for exactly the reason it names: wrong audience, wrong issuer, expiry, nonce, replayed
state, missing PKCE, and back-channel logout tokens (valid, replayed, malformed).
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.config import Settings
from app.core.clock import utcnow
from app.main import create_app
from tests.oidc_node.harness import (
    NodeProvider,
    follow_browser_redirects,
    node_available,
    run_node_provider,
)

CALLBACK = "http://testserver/auth/callback/sso"
CLIENT: dict[str, Any] = {
    "client_id": "allmende",
    "client_secret": "node-secret",
    "redirect_uris": [CALLBACK],
    "post_logout_redirect_uris": ["http://testserver/login"],
    "backchannel_logout_uri": "http://testserver/auth/backchannel-logout/sso",
    "backchannel_logout_session_required": True,
}

if not node_available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but the Node oidc-provider is not installed (npm ci)")
    pytest.skip("node or tests/oidc_node/node_modules missing", allow_module_level=True)

pytestmark = pytest.mark.node_oidc

Tamper = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def op() -> Iterator[NodeProvider]:
    config = {
        "clients": [CLIENT],
        "accounts": {
            "alice": {"email": "alice@kiel.de", "email_verified": True, "name": "Alice Anders"}
        },
    }
    with run_node_provider(config) as provider:
        yield provider


def _decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def part(value: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return data

    header, payload, _signature = token.split(".")
    return part(header), part(payload)


class TamperingTransport(httpx2.BaseTransport):
    """Talks to the real provider, but may rewrite the ID token of the token response."""

    def __init__(self, op: NodeProvider) -> None:
        self.op = op
        self.inner = httpx2.HTTPTransport()
        self.tamper: Tamper | None = None

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if (
            self.tamper is None
            or request.method != "POST"
            or not request.url.path.endswith("/token")
        ):
            return response
        response.read()
        body = json.loads(response.content)
        header, claims = _decode(body["id_token"])
        body["id_token"] = self.op.sign_jwt(self.tamper(claims), header)
        return httpx2.Response(response.status_code, json=body)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def transport(op: NodeProvider) -> Iterator[TamperingTransport]:
    transport = TamperingTransport(op)
    yield transport
    transport.close()


@pytest.fixture
def settings_overrides(op: NodeProvider) -> dict[str, object]:
    return {
        "oidc_issuer": op.issuer,
        "oidc_client_id": CLIENT["client_id"],
        "oidc_client_secret": CLIENT["client_secret"],
    }


@pytest.fixture
def app(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    transport: TamperingTransport,
) -> FastAPI:
    return create_app(
        settings, engine=engine, session_factory=session_factory, oidc_transport=transport
    )


def _authorize_url(client: TestClient) -> str:
    start = client.get("/login/sso")
    assert start.status_code == 303, start.text
    return start.headers["location"]


def _at_provider(url: str) -> str:
    """Play the browser at the provider until it sends us back; returns the callback URL."""
    with httpx2.Client(follow_redirects=False) as browser:
        return follow_browser_redirects(browser, url, stop_at=CALLBACK)


def _callback(client: TestClient, url: str) -> httpx2.Response:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def _reason(db: Session) -> str | None:
    return db.scalars(
        select(AuditEvent.reason)
        .where(AuditEvent.action == "login_failed")
        .order_by(AuditEvent.id.desc())
    ).first()


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_the_code_flow_with_pkce_signs_in(client: TestClient, db: Session) -> None:
    response = _callback(client, _at_provider(_authorize_url(client)))
    assert response.status_code == 303
    assert response.headers["location"] == "/membership/apply"
    session = db.scalars(select(AuthSession)).one()
    assert session.oidc_sid and session.oidc_subject == "alice"


def test_a_replayed_callback_is_refused(client: TestClient, db: Session) -> None:
    callback = _at_provider(_authorize_url(client))
    assert _callback(client, callback).status_code == 303
    replay = _callback(client, callback)
    assert replay.status_code == 400
    assert _reason(db) == "unknown_or_reused_state"


def test_the_provider_refuses_an_authorization_request_without_pkce(
    client: TestClient, db: Session
) -> None:
    stripped = _with_query(_authorize_url(client), code_challenge=None, code_challenge_method=None)
    callback = _at_provider(stripped)
    assert dict(parse_qsl(urlsplit(callback).query))["error"] == "invalid_request"
    response = _callback(client, callback)
    assert response.status_code == 400
    assert _reason(db) == "provider_error"


def test_a_code_bound_to_another_verifier_is_refused(client: TestClient, db: Session) -> None:
    forged = _with_query(
        _authorize_url(client), code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    response = _callback(client, _at_provider(forged))
    assert response.status_code == 400
    assert _reason(db) == "token_endpoint_error"


def test_a_foreign_iss_parameter_is_refused(client: TestClient, db: Session) -> None:
    callback = _with_query(_at_provider(_authorize_url(client)), iss="https://evil.example")
    assert _callback(client, callback).status_code == 400
    assert _reason(db) == "iss_mismatch"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda claims: {**claims, "aud": "another-client"}, "invalid_claims"),
        (lambda claims: {**claims, "aud": ["allmende", "another-client"]}, "invalid_claims"),
        (lambda claims: {**claims, "iss": "https://evil.example"}, "invalid_claims"),
        (lambda claims: {**claims, "exp": int(utcnow().timestamp()) - 600}, "invalid_claims"),
        (lambda claims: {**claims, "iat": int(utcnow().timestamp()) + 3600}, "invalid_claims"),
        (lambda claims: {**claims, "nonce": "someone-elses-nonce"}, "nonce_mismatch"),
        (
            lambda claims: {key: value for key, value in claims.items() if key != "nonce"},
            "nonce_mismatch",
        ),
    ],
    ids=[
        "wrong-aud",
        "aud-without-azp",
        "wrong-iss",
        "expired",
        "future-iat",
        "wrong-nonce",
        "no-nonce",
    ],
)
def test_an_invalid_id_token_is_refused(
    client: TestClient, db: Session, transport: TamperingTransport, tamper: Tamper, reason: str
) -> None:
    transport.tamper = tamper
    response = _callback(client, _at_provider(_authorize_url(client)))
    assert response.status_code == 400
    assert "Anmeldung fehlgeschlagen" in response.text
    assert _reason(db) == reason
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_an_unsigned_token_is_refused(
    client: TestClient, db: Session, transport: TamperingTransport, op: NodeProvider
) -> None:
    def encode(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    def unsigned(token: str) -> str:
        _header, claims = _decode(token)
        return f"{encode({'alg': 'none', 'typ': 'JWT'})}.{encode(claims)}."

    original_handle = transport.handle_request

    def handle(request: httpx2.Request) -> httpx2.Response:
        response = original_handle(request)
        if request.method == "POST" and request.url.path.endswith("/token"):
            response.read()
            body = json.loads(response.content)
            body["id_token"] = unsigned(body["id_token"])
            return httpx2.Response(200, json=body)
        return response

    transport.handle_request = handle  # type: ignore[method-assign]
    assert _callback(client, _at_provider(_authorize_url(client))).status_code == 400
    assert _reason(db) == "invalid_token"


def test_a_misconfigured_issuer_is_refused_at_discovery(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    db: Session,
    op: NodeProvider,
) -> None:
    wrong = settings.model_copy(update={"oidc_issuer": op.issuer + "/"})
    app = create_app(wrong, engine=engine, session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/login/sso").status_code == 400
    assert _reason(db) == "issuer_mismatch"


# -- back-channel logout ------------------------------------------------------------------------


def _signed_in(client: TestClient, db: Session) -> AuthSession:
    assert _callback(client, _at_provider(_authorize_url(client))).status_code == 303
    return db.scalars(select(AuthSession)).one()


def _post_logout_token(client: TestClient, token: str) -> httpx2.Response:
    return client.post("/auth/backchannel-logout/sso", data={"logout_token": token})


def test_backchannel_logout_ends_the_named_session_once(
    client: TestClient, db: Session, op: NodeProvider
) -> None:
    session = _signed_in(client, db)
    token = op.logout_token(CLIENT["client_id"], "alice", session.oidc_sid)
    response = _post_logout_token(client, token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
    assert client.get("/membership/apply").status_code == 303  # signed out
    assert _post_logout_token(client, token).status_code == 400  # the same jti again


@pytest.mark.parametrize(
    "change",
    [
        lambda claims: {**claims, "nonce": "x"},
        lambda claims: {key: value for key, value in claims.items() if key != "events"},
        lambda claims: {key: value for key, value in claims.items() if key != "jti"},
        lambda claims: {**claims, "aud": "another-client"},
        lambda claims: {key: value for key, value in claims.items() if key not in {"sub", "sid"}},
        lambda claims: {key: value for key, value in claims.items() if key != "exp"},
        lambda claims: {**claims, "exp": int(utcnow().timestamp()) - 600},
    ],
    ids=["nonce", "no-events", "no-jti", "wrong-aud", "no-sub-or-sid", "no-exp", "expired"],
)
def test_invalid_logout_tokens_are_refused_and_end_nothing(
    client: TestClient, db: Session, op: NodeProvider, change: Tamper
) -> None:
    session = _signed_in(client, db)
    header, claims = _decode(op.logout_token(CLIENT["client_id"], "alice", session.oidc_sid))
    forged = op.sign_jwt(change(claims), header)
    assert _post_logout_token(client, forged).status_code == 400
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 1


@pytest.mark.parametrize("typ", ["at+jwt", "JOSE", "id_token+jwt"])
def test_a_logout_token_of_another_type_is_refused(
    client: TestClient, db: Session, op: NodeProvider, typ: str
) -> None:
    session = _signed_in(client, db)
    header, claims = _decode(op.logout_token(CLIENT["client_id"], "alice", session.oidc_sid))
    assert header["typ"] == "logout+jwt"
    forged = op.sign_jwt(claims, {**header, "typ": typ})
    assert _post_logout_token(client, forged).status_code == 400
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 1
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "login_failed").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.reason == "invalid_logout_token"


def test_an_id_token_is_not_a_logout_token(client: TestClient, db: Session) -> None:
    session = _signed_in(client, db)
    assert session.id_token
    assert _post_logout_token(client, session.id_token).status_code == 400
    assert _post_logout_token(client, "garbage").status_code == 400
    assert client.post("/auth/backchannel-logout/sso").status_code == 400
    assert (
        client.post("/auth/backchannel-logout/nope", data={"logout_token": "x"}).status_code == 400
    )


# -- re-authentication (fresh sign-in for the data export) ----------------------------------


def test_reauthentication_makes_the_provider_ask_again_despite_its_session(
    client: TestClient, db: Session
) -> None:
    with httpx2.Client(follow_redirects=False) as browser:  # keeps the OP's session cookie
        first = follow_browser_redirects(browser, _authorize_url(client), stop_at=CALLBACK)
        assert _callback(client, first).status_code == 303
        started = utcnow().replace(microsecond=0)
        # This provider says when the person signed in only when asked (max_age): the first
        # session does not count as a fresh sign-in, so the export asks for one.
        assert db.scalars(select(AuthSession)).one().auth_time is None
        assert client.get("/konto/daten/export.json").status_code == 303
        time.sleep(1.1)  # auth_time has whole seconds
        start = client.get("/login/sso?reauth=1&next=/konto/daten")
        again = follow_browser_redirects(browser, start.headers["location"], stop_at=CALLBACK)
    response = _callback(client, again)
    assert response.status_code == 303
    assert response.headers["location"] == "/konto/daten"
    # One session (the old one was replaced), authenticated anew after the first sign-in.
    session = db.scalars(select(AuthSession)).one()
    assert session.auth_time is not None
    assert session.auth_time > started
    assert client.get("/konto/daten/export.json").status_code == 200


def test_a_reauthentication_without_auth_time_is_refused(
    client: TestClient, db: Session, transport: TamperingTransport
) -> None:
    transport.tamper = lambda claims: {k: v for k, v in claims.items() if k != "auth_time"}
    start = client.get("/login/sso?reauth=1&next=/konto/daten")
    response = _callback(client, _at_provider(start.headers["location"]))
    assert response.status_code == 400
    assert _reason(db) == "reauthentication_unconfirmed"
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
