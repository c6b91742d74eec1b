"""What a newcomer is told: the welcome after approval, the way back to the application
from a refused page, and how long the review takes and whom to ask."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.accounts.models import AccountState, Role
from app.config import Settings
from app.core import clock
from app.membership import service as membership
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from tests import factories


def test_a_newly_approved_member_is_welcomed_with_first_steps(
    client: TestClient, db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    applicant = factories.account(
        db, "Nina Neu", state=AccountState.PENDING, email="nina@neustadt.example"
    )
    application = factories.application(db, applicant)
    membership.decide(db, settings, moderator, application.id, "approve", "")
    [mail] = [
        payload
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload["to"] == "nina@neustadt.example"
    ]
    assert "Erste Schritte" in mail["text"]
    for link in ("/konto#einstellungen", "/vorhaben/new", "/suche"):
        assert f"{settings.base_url}{link}" in mail["text"]

    factories.login(client, db, applicant)
    steps = client.get("/").text.split('id="erste-schritte"')[1].split("</section>")[0]
    assert "Willkommen bei Allmende" in steps
    assert steps.count("<li") == 3 and "erledigt" not in steps
    preferences.save(db, applicant, "immediate", ["1"])
    other = factories.vorhaben(db, factories.account(db), "Fremdes Vorhaben")
    cooperation.set_follow(db, applicant, other.id, on=True)
    steps = client.get("/").text.split('id="erste-schritte"')[1].split("</section>")[0]
    assert steps.count("erledigt") == 2
    factories.vorhaben(db, applicant, "Meine erste Idee")
    assert 'id="erste-schritte"' not in client.get("/").text  # all done


def test_long_standing_members_see_no_first_steps(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Olga Alt")
    clock.travel(dt.timedelta(days=31))
    factories.login(client, db, member)
    assert 'id="erste-schritte"' not in client.get("/").text


def test_a_refused_page_leads_an_applicant_to_their_application(
    client: TestClient, db: Session
) -> None:
    applicant = factories.account(db, "Paula Peters", state=AccountState.PENDING)
    factories.application(db, applicant)
    factories.login(client, db, applicant)
    refused = client.get("/vorhaben")
    assert refused.status_code == 403
    assert "„Mein Antrag“" in refused.text
    nav = refused.text.split("<header")[1].split("</header>")[0]
    assert '<a href="/membership/status"' in nav and "Mein Antrag" in nav
    main = refused.text.split('<main id="main"')[1]
    assert 'href="/membership/status"' in main


def test_the_status_page_says_how_long_it_takes_and_whom_to_ask(
    client: TestClient, db: Session
) -> None:
    applicant = factories.account(db, "Paula Peters", state=AccountState.PENDING)
    factories.application(db, applicant)
    factories.login(client, db, applicant)
    page = client.get("/membership/status").text
    assert "zwei Werktagen" in page
    assert 'href="/impressum"' in page.split('<main id="main"')[1]
