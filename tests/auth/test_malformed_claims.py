"""Identifiers a provider sends are stored and looked up as text: one with a NUL byte would
be a 500 on PostgreSQL (psycopg refuses NUL in text), so it is a failed sign-in instead."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Identity
from app.audit.models import AuditEvent
from app.auth.oidc import BACKCHANNEL_EVENT
from app.config import Settings
from app.main import create_app
from tests.auth.conftest import MockIdP


def test_a_subject_with_a_nul_byte_is_a_failed_sign_in(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    response = mock_idp.sign_in(client, "ali\x00ce")
    assert response.status_code == 400
    assert "Anmeldung fehlgeschlagen" in response.text
    assert db.scalar(select(func.count()).select_from(Identity)) == 0
    failure = db.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert failure.reason == "invalid_claims"


ISSUER = "https://idp.example"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})


def _provider(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == "/.well-known/openid-configuration":
        return httpx2.Response(
            200,
            json={
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "jwks_uri": f"{ISSUER}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            },
        )
    if request.url.path == "/jwks":
        return httpx2.Response(200, json={"keys": [KEY.as_dict(private=False)]})
    return httpx2.Response(404)


@pytest.fixture
def signed_client(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "oidc_issuer": ISSUER,
            "oidc_client_id": "allmende",
            "oidc_client_secret": SecretStr("geheim"),
        }
    )
    app = create_app(
        configured,
        engine=engine,
        session_factory=session_factory,
        oidc_transport=httpx2.MockTransport(_provider),
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize(
    "claims",
    [{"sid": "sitzung\x00"}, {"sub": "ali\x00ce"}, {"sid": "s1", "jti": "j\x00"}],
)
def test_a_logout_token_with_a_nul_byte_is_refused(
    signed_client: TestClient, claims: dict[str, str]
) -> None:
    now = int(time.time())
    token = jwt.encode(
        {"alg": "RS256", "kid": "k1", "typ": "logout+jwt"},
        {
            "iss": ISSUER,
            "aud": "allmende",
            "iat": now,
            "exp": now + 120,
            "jti": "einmalig",
            "events": {BACKCHANNEL_EVENT: {}},
            **claims,
        },
        KEY,
    )
    response = signed_client.post("/auth/backchannel-logout/sso", data={"logout_token": token})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}
