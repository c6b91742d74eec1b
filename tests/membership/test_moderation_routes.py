"""The moderators' pages: queue, decisions, members, domains, audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.audit.models import AuditEvent
from app.membership import domains
from tests import factories

pytestmark = pytest.mark.commits


@pytest.fixture
def moderator(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, person)
    return person


def test_queue_shows_claims_domain_state_and_filters(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    applicant = factories.account(
        db, "Alice Anders", state=AccountState.PENDING, email="alice@kiel.de"
    )
    application = factories.application(db, applicant)
    page = client.get("/moderation/applications")
    assert page.status_code == 200
    assert "Alice Anders" in page.text and "kiel.de" in page.text
    assert "Alice Anders" not in client.get("/moderation/applications?state=approved").text
    assert client.get("/moderation/applications?land=abc&older_than=x").status_code == 200
    assert client.get("/moderation/applications?after=%%%").status_code == 400
    detail = client.get(f"/moderation/applications/{application.id}")
    assert "alice@kiel.de" in detail.text
    assert "nicht für diese Kommune bestätigt" in detail.text


def _row(html: str, name: str) -> str:
    """The queue's table row of one applicant."""
    rows = [row for row in html.split("<tr>") if name in row]
    assert len(rows) == 1, name
    return rows[0].split("</tr>")[0]


@pytest.mark.parametrize(
    ("domain_on_municipality", "email_verified", "domain_fact", "address_fact"),
    [
        (True, True, "Domain der Kommune", "Adresse vom Identitätsdienst bestätigt"),
        (True, False, "Domain der Kommune", "Adresse nicht vom Identitätsdienst bestätigt"),
        (False, True, "Domain nicht bestätigt", "Adresse vom Identitätsdienst bestätigt"),
        (False, False, "Domain nicht bestätigt", "Adresse nicht vom Identitätsdienst bestätigt"),
    ],
)
def test_queue_and_review_show_both_facts_auto_approval_needs(
    client: TestClient,
    db: Session,
    moderator: factories.Account,
    domain_on_municipality: bool,
    email_verified: bool,
    domain_fact: str,
    address_fact: str,
) -> None:
    """A verified domain alone is not enough: only a provider-verified address in it says
    the person really has a mailbox there (the rule auto-approval follows)."""

    kiel = factories.municipality(db, "Kiel")
    if domain_on_municipality:
        domains.add(db, moderator, kiel.ags, "kiel.de")
    applicant = factories.account(
        db, "Alice Anders", state=AccountState.PENDING, email="alice@kiel.de"
    )
    application = factories.application(db, applicant, kiel)
    application.claims = {"email": "alice@kiel.de", "email_verified": email_verified}
    db.flush()
    row = _row(client.get("/moderation/applications").text, "Alice Anders")
    assert domain_fact in row and address_fact in row
    detail = client.get(f"/moderation/applications/{application.id}").text
    expected_domain = (
        "für diese Kommune bestätigt</strong>"
        if domain_on_municipality
        else "nicht für diese Kommune bestätigt"
    )
    assert expected_domain in detail
    expected_address = (
        "vom Identitätsdienst bestätigt</dd>"
        if email_verified
        else "<strong>nicht vom Identitätsdienst bestätigt</strong>"
    )
    assert expected_address in detail


def test_deciding_without_reason_keeps_the_form(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    application = factories.application(db, factories.account(db, state=AccountState.PENDING))
    token = factories.csrf_token(client, "/moderation")
    response = client.post(
        f"/moderation/applications/{application.id}",
        data={"csrf_token": token, "decision": "decline", "reason": ""},
    )
    assert response.status_code == 422
    assert "Begründung" in response.text and 'href="#field-reason"' in response.text
    bogus = client.post(
        f"/moderation/applications/{application.id}",
        data={"csrf_token": token, "decision": "delete", "reason": "x"},
    )
    assert bogus.status_code == 422
    missing = client.post(
        "/moderation/applications/999999", data={"csrf_token": token, "decision": "approve"}
    )
    assert missing.status_code == 404


def test_a_decision_on_a_decided_application_is_a_conflict(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    application = factories.application(db, factories.account(db, state=AccountState.PENDING))
    token = factories.csrf_token(client, "/moderation")
    url = f"/moderation/applications/{application.id}"
    assert client.post(url, data={"csrf_token": token, "decision": "approve"}).status_code == 303
    again = client.post(url, data={"csrf_token": token, "decision": "decline", "reason": "x"})
    assert again.status_code == 409


def test_suspending_a_member_applies_to_their_open_session_at_once(
    client: TestClient, app: object, db: Session, moderator: factories.Account
) -> None:
    member = factories.account(db, "Sam")
    with TestClient(app, follow_redirects=False) as member_client:  # type: ignore[arg-type]
        factories.login(member_client, db, member)
        assert member_client.get("/konto").status_code == 200
        token = factories.csrf_token(client, "/moderation")
        response = client.post(
            f"/moderation/members/{member.id}/suspend", data={"csrf_token": token, "reason": "Spam"}
        )
        assert response.status_code == 303
        # The session is gone: the next request is anonymous.
        after = member_client.get("/konto")
        assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert "gesperrt" in client.get(f"/moderation/members/{member.id}").text


def test_role_changes_need_an_admin(
    client: TestClient, app: object, db: Session, moderator: factories.Account
) -> None:
    member = factories.account(db, "Rolf")
    token = factories.csrf_token(client, "/moderation")
    denied = client.post(
        f"/moderation/members/{member.id}/role", data={"csrf_token": token, "role": "moderator"}
    )
    assert denied.status_code == 403
    admin = factories.account(db, role=Role.ADMIN)
    with TestClient(app, follow_redirects=False) as admin_client:  # type: ignore[arg-type]
        factories.login(admin_client, db, admin)
        token = factories.csrf_token(admin_client, "/moderation")
        granted = admin_client.post(
            f"/moderation/members/{member.id}/role", data={"csrf_token": token, "role": "moderator"}
        )
        assert granted.status_code == 303
    db.refresh(member)
    assert member.role is Role.MODERATOR


def test_domains_page_adds_and_removes(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    kiel = factories.municipality(db, "Kiel")
    token = factories.csrf_token(client, "/moderation/domains")
    bad = client.post(
        "/moderation/domains",
        data={"csrf_token": token, "domain": "kiel de", "municipality_ags": ""},
    )
    assert bad.status_code == 422 and 'value="kiel de"' in bad.text
    ok = client.post(
        "/moderation/domains",
        data={"csrf_token": token, "domain": "kiel.de", "municipality_ags": kiel.ags},
    )
    assert ok.status_code == 303
    assert "kiel.de" in client.get("/moderation/domains").text


def test_the_domain_forms_municipality_search_is_a_post_that_keeps_the_domain(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    """Its search button, or Enter in the search field with no municipality chosen: the
    results, the domain as typed, the CSRF token out of the URL, nothing confirmed."""

    factories.municipality(db, "Kiel", ags="01002000")
    token = factories.csrf_token(client, "/moderation/domains")
    for action in ("search", ""):
        page = client.post(
            "/moderation/domains",
            data={"csrf_token": token, "domain": "kiel.de", "q": "Kiel", "action": action},
        )
        assert page.status_code == 200
        assert 'value="01002000" autofocus' in page.text and 'value="kiel.de"' in page.text
        assert "Bitte korrigieren Sie Folgendes" not in page.text
        assert 'formmethod="get"' not in page.text
    assert domains.listing(db) == []


def test_audit_log_lists_and_filters_decisions(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    application = factories.application(
        db, factories.account(db, "Ann", state=AccountState.PENDING)
    )
    token = factories.csrf_token(client, "/moderation")
    client.post(
        f"/moderation/applications/{application.id}",
        data={"csrf_token": token, "decision": "decline", "reason": "Keine Kommune"},
    )
    log = client.get("/moderation/audit?action=application_declined")
    assert "Keine Kommune" in log.text and "Mara Moser" in log.text and "Ann" in log.text
    assert "Keine Kommune" not in client.get("/moderation/audit?action=role_changed").text
    assert client.get("/moderation/audit?since=not-a-date&actor=x").status_code == 200
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "application_declined")).one()
    assert event.actor_id == moderator.id and event.reason == "Keine Kommune"
