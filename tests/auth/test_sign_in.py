"""Sign-in round trip against an OpenID provider on loopback (oidc-provider-mock)."""

from __future__ import annotations

import json
import socket

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.account import privacy
from app.accounts.models import Account, AccountState, Identity
from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.config import Settings
from app.main import create_app
from tests import factories
from tests.auth.conftest import CLIENT_ID, MockIdP, query_of

pytestmark = pytest.mark.commits


def test_login_redirects_with_pkce_state_and_nonce(client: TestClient, mock_idp: MockIdP) -> None:
    response = client.get("/login/sso")
    assert response.status_code == 303
    params = query_of(response.headers["location"])
    assert params["client_id"] == CLIENT_ID
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/auth/callback/sso"
    assert "openid" in params["scope"].split()
    cookie = response.headers["set-cookie"]
    assert "allmende_login=" in cookie and "HttpOnly" in cookie


def test_login_page_lists_the_provider(client: TestClient) -> None:
    page = client.get("/login")
    assert 'href="/login/sso"' in page.text


def test_first_sign_in_creates_a_pending_account_and_leads_to_the_application(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    response = mock_idp.sign_in(client, "alice")
    assert response.status_code == 303
    assert response.headers["location"] == "/membership/apply"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(cookie for cookie in cookies if cookie.startswith("allmende_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace("Lax", "lax")
    identity = db.scalars(select(Identity).where(Identity.subject == "alice")).one()
    assert identity.issuer == mock_idp.issuer
    account = db.get(Account, identity.account_id)
    assert account is not None
    assert account.state is AccountState.PENDING
    assert account.email == "alice@leipzig.de" and account.display_name == "Alice Anders"
    # The trust space stays closed until a moderator approves.
    assert client.get("/konto").status_code == 403
    assert client.get("/membership/apply").status_code == 200


def test_the_session_token_is_stored_only_as_a_hash(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    mock_idp.sign_in(client, "alice")
    token = client.cookies.get("allmende_session")
    assert token and len(token) >= 43
    stored = db.scalars(select(AuthSession.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


def test_each_sign_in_gets_a_new_session_token(client: TestClient, mock_idp: MockIdP) -> None:
    mock_idp.sign_in(client, "alice")
    first = client.cookies.get("allmende_session")
    mock_idp.sign_in(client, "alice")
    assert client.cookies.get("allmende_session") != first


def test_full_round_trip_apply_approve_access(
    client: TestClient, app: object, mock_idp: MockIdP, db: Session
) -> None:
    kiel = factories.municipality(db, "Kiel, Landeshauptstadt", ags="01002000")
    mock_idp.sign_in(client, "alice")
    token = factories.csrf_token(client, "/membership/apply")
    response = client.post(
        "/membership/apply",
        data={
            "csrf_token": token,
            "municipality_ags": kiel.ags,
            "position": "CDO",
            "reason": "Austausch zur Digitalisierungsstrategie",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/membership/status"
    assert "eingegangen" in client.get("/membership/status").text
    assert client.get("/").status_code == 303  # still not a member

    moderator = factories.account(db, "Mara Moser", role=factories.Role.MODERATOR)
    with TestClient(app, follow_redirects=False) as moderator_client:  # type: ignore[arg-type]
        factories.login(moderator_client, db, moderator)
        queue = moderator_client.get("/moderation/applications")
        assert "Alice Anders" in queue.text
        application_id = int(queue.text.split("/moderation/applications/")[1].split('"')[0])
        decided = moderator_client.post(
            f"/moderation/applications/{application_id}",
            data={
                "csrf_token": factories.csrf_token(moderator_client, "/moderation"),
                "decision": "approve",
                "reason": "",
            },
        )
        assert decided.status_code == 303

    # The applicant's existing session sees the change at its next request.
    home = client.get("/")
    assert home.status_code == 200
    assert "Willkommen, Alice Anders" in home.text


def test_repeated_sign_in_does_not_bypass_approval(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    mock_idp.sign_in(client, "alice")
    mock_idp.sign_in(client, "alice")
    assert db.scalar(select(func.count()).select_from(Account)) == 1
    assert client.get("/").headers["location"] == "/membership/apply"


def test_a_known_email_from_another_identity_gets_its_own_pending_account(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    member = factories.account(db, email="mallory@leipzig.de", issuer="https://other-idp")
    mock_idp.set_user("mallory", email="mallory@leipzig.de", email_verified=True, name="M")
    response = mock_idp.sign_in(client, "mallory")
    assert response.headers["location"] == "/membership/apply"
    identity = db.scalars(select(Identity).where(Identity.subject == "mallory")).one()
    assert identity.account_id != member.id


def test_a_changed_email_keeps_the_same_account(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    mock_idp.set_user("carol", email="carol@old.example", name="Carol")
    mock_idp.sign_in(client, "carol")
    mock_idp.set_user("carol", email="carol@new.example", name="Carol")
    mock_idp.sign_in(client, "carol")
    accounts = db.scalars(select(Account).where(Account.display_name == "Carol")).all()
    assert len(accounts) == 1
    assert accounts[0].email == "carol@new.example"
    assert accounts[0].state is AccountState.PENDING


def test_next_after_sign_in_only_leads_to_local_paths(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    member = factories.account(db, subject="dora", issuer=mock_idp.issuer)
    mock_idp.set_user("dora", email=member.email, name="Dora")
    for evil in (
        "//evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = mock_idp.sign_in(client, "dora", next_path=evil)
        assert response.headers["location"] == "/", evil
    response = mock_idp.sign_in(client, "dora", next_path="/konto")
    assert response.headers["location"] == "/konto"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "missing_state"),
        ("?state=unknown&code=x", "unknown_or_reused_state"),
    ],
)
def test_callback_failures_are_friendly_400_pages_and_audited(
    client: TestClient, db: Session, query: str, reason: str
) -> None:
    response = client.get(f"/auth/callback/sso{query}")
    assert response.status_code == 400
    assert "Anmeldung fehlgeschlagen" in response.text
    assert 'href="/login"' in response.text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert event.reason == reason


def test_an_unknown_provider_is_a_400_page(client: TestClient, db: Session) -> None:
    for path in ("/login/nope", "/auth/callback/nope?state=x&code=y"):
        response = client.get(path)
        assert response.status_code == 400
        assert "Anmeldung fehlgeschlagen" in response.text
    reasons = db.scalars(select(AuditEvent.reason).where(AuditEvent.action == "login_failed"))
    assert list(reasons) == ["unknown_provider", "unknown_provider"]


def test_an_error_from_the_provider_is_handled(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    start = client.get("/login/sso")
    state = query_of(start.headers["location"])["state"]
    response = client.get(f"/auth/callback/sso?state={state}&error=access_denied")
    assert response.status_code == 400
    assert "abgelehnt" in response.text
    assert (
        db.scalars(select(AuditEvent.reason).where(AuditEvent.action == "login_failed")).one()
        == "provider_error"
    )


def test_state_is_bound_to_the_browser_that_started(
    client: TestClient, app: object, mock_idp: MockIdP
) -> None:
    start = client.get("/login/sso")
    with httpx2.Client(follow_redirects=False) as browser:
        consent = browser.post(start.headers["location"], data={"sub": "alice"})
    callback = consent.headers["location"].split("testserver", 1)[1]
    with TestClient(app, follow_redirects=False) as other_browser:  # type: ignore[arg-type]
        response = other_browser.get(callback)
    assert response.status_code == 400
    # ... and the attempt is used up: the right browser cannot replay it either.
    assert client.get(callback).status_code == 400


def test_logout_is_a_post_with_csrf_and_ends_the_session(
    client: TestClient, mock_idp: MockIdP, db: Session
) -> None:
    member = factories.account(db, subject="erin", issuer=mock_idp.issuer)
    mock_idp.set_user("erin", email=member.email, name="Erin")
    mock_idp.sign_in(client, "erin")
    assert client.get("/").status_code == 200
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 403  # no CSRF token
    token = factories.csrf_token(client, "/konto")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{mock_idp.issuer}/oauth2/end_session")
    params = query_of(location)
    assert params["post_logout_redirect_uri"] == "http://testserver/login"
    assert params["id_token_hint"].count(".") == 2
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
    assert client.get("/").status_code == 303


def test_csp_allows_the_logout_form_to_reach_the_provider(
    client: TestClient, mock_idp: MockIdP
) -> None:
    csp = client.get("/login").headers["content-security-policy"]
    assert f"form-action 'self' {mock_idp.issuer}" in csp


def test_after_erasure_the_same_identity_starts_as_a_new_application(
    client: TestClient, mock_idp: MockIdP, db: Session, settings: Settings
) -> None:

    mock_idp.sign_in(client, "alice")
    first = db.scalars(select(Identity).where(Identity.subject == "alice")).one()
    account = db.get(Account, first.account_id)
    assert account is not None
    account.state = AccountState.APPROVED
    privacy.erase(db, settings, account, actor=account)
    db.flush()
    response = mock_idp.sign_in(client, "alice")
    assert response.headers["location"] == "/membership/apply"
    again = db.scalars(select(Identity).where(Identity.subject == "alice")).one()
    assert again.account_id != account.id
    fresh = db.get(Account, again.account_id)
    assert fresh is not None and fresh.state is AccountState.PENDING


class _TokenEndpointOnAClosedPort(httpx2.BaseTransport):
    """Talks to the mock provider, but its discovery names a token endpoint nobody listens on."""

    def __init__(self, port: int) -> None:
        self.inner = httpx2.HTTPTransport()
        self.port = port

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/.well-known/openid-configuration"):
            return response
        response.read()
        document = json.loads(response.content)
        document["token_endpoint"] = f"http://127.0.0.1:{self.port}/oauth2/token"
        return httpx2.Response(200, json=document)

    def close(self) -> None:
        self.inner.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_token_endpoint_is_a_friendly_400_and_audited(
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    db: Session,
    mock_idp: MockIdP,
) -> None:
    transport = _TokenEndpointOnAClosedPort(_closed_port())
    app = create_app(
        settings, engine=engine, session_factory=session_factory, oidc_transport=transport
    )
    with TestClient(app, follow_redirects=False) as client:
        response = mock_idp.sign_in(client, "alice")
    transport.close()
    assert response.status_code == 400
    assert "nicht erreichbar" in response.text
    assert 'href="/login"' in response.text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert event.reason == "token_endpoint_unreachable"
    assert event.details["detail"] == "ConnectError"
    assert db.scalar(select(func.count()).select_from(AuthSession)) == 0
