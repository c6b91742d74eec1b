"""An in-process OpenID provider (oidc-provider-mock) for the everyday sign-in cases."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

CLIENT_ID = "allmende-test"
CLIENT_SECRET = "allmende-test-secret"


@dataclass
class MockIdP:
    issuer: str

    def set_user(self, sub: str, **claims: object) -> None:
        response = httpx2.put(f"{self.issuer}/users/{sub}", json=claims)
        assert response.status_code == 204

    def sign_in(
        self, client: TestClient, sub: str, *, next_path: str | None = None
    ) -> httpx2.Response:
        """Walk the browser through /login/sso, the provider's form and back to our callback."""
        start = client.get("/login/sso" + (f"?next={next_path}" if next_path else ""))
        assert start.status_code == 303, start.text
        authorize_url = start.headers["location"]
        assert authorize_url.startswith(self.issuer)
        with httpx2.Client(follow_redirects=False) as browser:
            consent = browser.post(authorize_url, data={"sub": sub})
        assert consent.status_code in {302, 303}, consent.text
        callback = urlsplit(consent.headers["location"])
        assert callback.path == "/auth/callback/sso"
        return client.get(f"{callback.path}?{callback.query}")


@pytest.fixture(scope="session")
def mock_idp() -> Iterator[MockIdP]:
    with warnings.catch_warnings():
        # The mock (test-only) still imports the deprecated authlib.jose.
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import User, run_server_in_thread  # noqa: PLC0415 - warning

    users = [
        User(
            sub="alice",
            claims={"email": "alice@leipzig.de", "email_verified": True, "name": "Alice Anders"},
        ),
        User(
            sub="bob",
            claims={"email": "bob@example.org", "email_verified": False, "name": "Bob Berger"},
        ),
    ]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield MockIdP(issuer=f"http://localhost:{server.server_port}")


@pytest.fixture
def settings_overrides(mock_idp: MockIdP) -> dict[str, object]:
    return {
        "oidc_issuer": mock_idp.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
    }


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
