"""Signing in again for the data export (Art. 15 needs a sign-in within ten minutes):
the privacy page sends the person to their provider with max_age=0 and prompt=login, and
only a fresh auth_time in the ID token makes the export available."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import _storage
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.core.clock import utcnow
from tests import factories
from tests.auth.conftest import MockIdP, query_of

pytestmark = pytest.mark.commits

EXPORT = "/konto/daten/export.json"


@pytest.fixture
def provider_auth_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make the in-process mock provider report an authentication `seconds_ago` (left
    alone, it reports the moment it issues the token)."""

    def set_age(seconds_ago: int) -> None:
        monkeypatch.setattr(
            _storage.AuthorizationCode,
            "get_auth_time",
            lambda self: int(time.time()) - seconds_ago,
        )

    return set_age


def _through_provider(
    client: TestClient, mock_idp: MockIdP, start: str, sub: str
) -> httpx2.Response:
    response = client.get(start)
    assert response.status_code == 303, response.text
    with httpx2.Client(follow_redirects=False) as browser:
        consent = browser.post(response.headers["location"], data={"sub": sub})
    callback = urlsplit(consent.headers["location"])
    return client.get(f"{callback.path}?{callback.query}")


def _stale_member(client: TestClient, mock_idp: MockIdP, db: Session) -> Account:
    """A member signed in by SSO whose sign-in lies eleven minutes back."""
    member = factories.account(db, "Frida", subject="frida", issuer=mock_idp.issuer)
    mock_idp.set_user("frida", email=member.email, email_verified=True, name="Frida")
    assert mock_idp.sign_in(client, "frida").status_code == 303
    for row in db.scalars(select(AuthSession).where(AuthSession.account_id == member.id)):
        row.auth_time = utcnow() - dt.timedelta(minutes=11)
    db.flush()
    return member


def test_the_privacy_page_leads_to_a_reauthentication_at_the_own_provider(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    _stale_member(client, mock_idp, db)
    assert client.get(EXPORT).status_code == 303
    page = client.get("/konto/daten").text
    assert 'href="/login/sso?reauth=1&amp;next=/konto/daten"' in page
    start = client.get("/login/sso?reauth=1&next=/konto/daten")
    params = query_of(start.headers["location"])
    assert params["max_age"] == "0" and params["prompt"] == "login"
    # An ordinary sign-in does not force the provider to ask again.
    plain = query_of(client.get("/login/sso").headers["location"])
    assert "max_age" not in plain and "prompt" not in plain


def test_a_fresh_reauthentication_makes_the_export_available(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    member = _stale_member(client, mock_idp, db)
    response = _through_provider(client, mock_idp, "/login/sso?reauth=1&next=/konto/daten", "frida")
    assert response.status_code == 303
    assert response.headers["location"] == "/konto/daten"
    export = client.get(EXPORT)
    assert export.status_code == 200
    assert export.json()["profile"]["display_name"] == "Frida"
    # The browser's old session was replaced, not left behind in "my sessions".
    rows = db.scalars(select(AuthSession).where(AuthSession.account_id == member.id)).all()
    assert len(rows) == 1


def test_a_reauthentication_the_provider_does_not_confirm_is_refused(
    client: TestClient,
    mock_idp: MockIdP,
    db: Session,
    provider_auth_time: Callable[[int], None],
) -> None:
    """The provider answers with the authentication of an hour ago (it ignored max_age)."""
    _stale_member(client, mock_idp, db)
    provider_auth_time(3600)
    response = _through_provider(client, mock_idp, "/login/sso?reauth=1&next=/konto/daten", "frida")
    assert response.status_code == 400
    assert "nicht bestätigt" in response.text
    reason = db.scalars(
        select(AuditEvent.reason)
        .where(AuditEvent.action == "login_failed")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert reason == "reauthentication_unconfirmed"
    # Still signed in with the old session, and still no export.
    assert client.get("/konto").status_code == 200
    assert client.get(EXPORT).status_code == 303


def test_the_sign_in_page_offers_reauthentication_instead_of_looping(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    _stale_member(client, mock_idp, db)
    # A member on /login is sent on to `next` ...
    assert client.get("/login?next=/konto/daten").headers["location"] == "/konto/daten"
    # ... unless they came to sign in again.
    page = client.get("/login?reauth=1&next=/konto/daten")
    assert page.status_code == 200
    assert "Erneut anmelden" in page.text
    assert 'href="/login/sso?reauth=1&amp;next=%2Fkonto%2Fdaten"' in page.text


def test_an_applicant_reauthenticates_for_their_data_too(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    mock_idp.sign_in(client, "alice")
    rows = db.scalars(select(AuthSession)).all()
    account = db.get(Account, rows[0].account_id)
    assert account is not None and account.state is AccountState.PENDING
    for row in rows:
        row.auth_time = utcnow() - dt.timedelta(minutes=11)
    db.flush()
    assert client.get(EXPORT).status_code == 303
    response = _through_provider(client, mock_idp, "/login/sso?reauth=1&next=/konto/daten", "alice")
    assert response.headers["location"] == "/konto/daten"
    assert client.get(EXPORT).status_code == 200
