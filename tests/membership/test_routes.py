"""The applicant's pages: a failed form keeps everything, search works with and without htmx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import AccountState
from app.config import Settings
from app.membership import service
from tests import factories

pytestmark = pytest.mark.commits


def _applicant(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Alice Anders", state=AccountState.PENDING)
    factories.login(client, db, person)
    return person


def test_a_failed_application_keeps_what_was_typed_and_explains(
    client: TestClient, db: Session
) -> None:
    _applicant(client, db)
    kiel = factories.municipality(db, "Kiel")
    token = factories.csrf_token(client, "/membership/apply")
    typed = "Wir möchten <b>lernen</b> – und teilen."
    response = client.post(
        "/membership/apply",
        data={
            "csrf_token": token,
            "municipality_ags": kiel.ags,
            "position": "",
            "reason": typed,
            "q": "Kiel",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "Bitte korrigieren Sie Folgendes" in html
    assert 'href="#field-position"' in html and 'id="field-position"' in html
    assert 'aria-invalid="true"' in html
    assert "Wir möchten &lt;b&gt;lernen&lt;/b&gt; – und teilen." in html  # kept, escaped
    assert f'value="{kiel.ags}" checked' in html  # the chosen municipality stays chosen


def test_municipality_search_without_javascript_keeps_the_other_fields(
    client: TestClient, db: Session
) -> None:
    _applicant(client, db)
    factories.municipality(db, "Leipzig, Stadt", ags="14713000")
    page = client.get(
        "/membership/apply", params={"q": "leipzig", "position": "CDO", "reason": "Weil"}
    )
    assert page.status_code == 200
    assert 'value="14713000"' in page.text
    assert 'value="CDO"' in page.text and ">Weil</textarea>" in page.text


def test_municipality_search_without_javascript_is_a_post_that_keeps_everything(
    client: TestClient, db: Session
) -> None:
    """The search button posts the whole form: nothing typed is lost, the CSRF token and
    the text stay out of the URL, and nothing is filed."""
    person = _applicant(client, db)
    factories.municipality(db, "Leipzig, Stadt", ags="14713000")
    token = factories.csrf_token(client, "/membership/apply")
    page = client.post(
        "/membership/apply",
        data={
            "csrf_token": token,
            "q": "leipzig",
            "position": "CDO",
            "reason": "Weil",
            "action": "search",
        },
    )
    assert page.status_code == 200
    assert 'value="14713000" autofocus' in page.text
    assert 'value="CDO"' in page.text and ">Weil</textarea>" in page.text
    assert "Bitte korrigieren Sie Folgendes" not in page.text
    assert service.latest_application(db, person.id) is None
    assert 'formmethod="get"' not in page.text


def test_enter_in_the_search_field_searches_instead_of_filing(
    client: TestClient, db: Session
) -> None:
    """Enter presses the main button; with a search text and no municipality chosen the
    application could only be refused, so the search runs."""
    person = _applicant(client, db)
    factories.municipality(db, "Leipzig, Stadt", ags="14713000")
    token = factories.csrf_token(client, "/membership/apply")
    typed = {"csrf_token": token, "q": "leipzig", "position": "CDO", "reason": ""}
    page = client.post("/membership/apply", data=typed)
    assert page.status_code == 200
    assert 'value="14713000"' in page.text and 'value="CDO"' in page.text
    assert "Bitte korrigieren Sie Folgendes" not in page.text
    assert service.latest_application(db, person.id) is None
    filed = client.post("/membership/apply", data={**typed, "municipality_ags": "14713000"})
    assert filed.status_code == 303
    application = service.latest_application(db, person.id)
    assert application is not None and application.position == "CDO"


def test_municipality_search_as_you_type_returns_a_fragment(
    client: TestClient, db: Session
) -> None:
    _applicant(client, db)
    factories.municipality(db, "Leipzig, Stadt", ags="14713000")
    response = client.get(
        "/membership/municipalities", params={"q": "Leip"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'name="municipality_ags" value="14713000"' in response.text
    empty = client.get("/membership/municipalities", params={"q": "Xyzzy"})
    assert "Keine Kommune gefunden" in empty.text


def test_status_page_shows_the_question_and_takes_the_answer(
    client: TestClient, db: Session, settings: Settings
) -> None:
    person = _applicant(client, db)
    application = factories.application(db, person)
    moderator = factories.account(db, role=factories.Role.MODERATOR)

    service.decide(
        db,
        settings,
        moderator,
        application.id,
        "request_info",
        "Welche Abteilung?",
    )
    page = client.get("/membership/status")
    assert "Welche Abteilung?" in page.text
    token = factories.csrf_token(client, "/membership/status")
    empty = client.post("/membership/status", data={"csrf_token": token, "answer": ""})
    assert empty.status_code == 422 and "Ihre Antwort" in empty.text
    sent = client.post("/membership/status", data={"csrf_token": token, "answer": "Hauptamt"})
    assert sent.status_code == 303
    assert "Hauptamt" in client.get("/membership/status").text


def test_members_are_sent_away_from_the_application_form(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    assert client.get("/membership/apply").status_code == 303


def test_suspended_accounts_see_their_status_with_the_reason(
    client: TestClient, db: Session
) -> None:
    person = factories.account(db, state=AccountState.SUSPENDED)
    person.state_reason = "Wiederholt Werbung"
    factories.login(client, db, person)
    assert client.get("/").headers["location"] == "/membership/status"
    page = client.get("/membership/status")
    assert "gesperrt" in page.text and "Wiederholt Werbung" in page.text
    assert client.get("/membership/apply").status_code == 303
