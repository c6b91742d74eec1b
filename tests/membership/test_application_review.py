"""The application page for a moderator: the provider's claims in words, colleagues who
already use the same mail domain, and confirming that domain in one click."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.audit.models import AuditEvent
from app.config import Settings
from app.export import review
from app.export import service as publications
from app.membership import domains
from app.membership.models import MunicipalityDomain
from tests import factories
from tests.publishing import form_of, make_scene


@pytest.fixture
def moderator(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, person)
    return person


def _koeln(db: Session) -> tuple[factories.Municipality, int]:
    koeln = factories.municipality(db, "Köln, Stadt")
    factories.account(db, "Deniz Aydın", municipality=koeln, email="deniz.aydin@stadt-koeln.de")
    factories.account(db, "Kim Kollegin", municipality=koeln, email="kim@stadt-koeln.de")
    factories.account(db, "Privat Person", municipality=koeln, email="privat@web.example")
    applicant = factories.account(
        db, "Paula Peters", state=AccountState.PENDING, email="paula.peters@stadt-koeln.de"
    )
    application = factories.application(db, applicant, koeln)
    application.claims = {
        "email": "paula.peters@stadt-koeln.de",
        "email_verified": True,
        "given_name": "Paula",
        "preferred_username": "ppeters",
    }
    db.flush()
    return koeln, application.id


def test_claims_are_shown_in_words(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    _place, application_id = _koeln(db)
    page = client.get(f"/moderation/applications/{application_id}").text
    claims = page.split("Angaben des Identitätsdienstes")[1].split("</dl>")[0]
    assert "<dt>Vorname</dt><dd>Paula</dd>" in claims
    assert "<dt>Benutzername</dt><dd>ppeters</dd>" in claims
    assert "<dt>E-Mail-Adresse bestätigt</dt><dd>ja</dd>" in claims
    assert "given_name" not in claims and "True" not in claims


def test_colleagues_with_the_same_domain_and_a_one_click_confirmation(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:
    koeln, application_id = _koeln(db)
    page = client.get(f"/moderation/applications/{application_id}").text
    colleagues = page.split('id="same-domain"')[1].split("</section>")[0]
    assert "2 Mitglieder" in colleagues and "stadt-koeln.de" in colleagues
    assert "Deniz Aydın" in colleagues and "Kim Kollegin" in colleagues
    assert "Privat Person" not in colleagues
    form = colleagues.split("<form")[1].split("</form>")[0]
    assert f'action="/moderation/applications/{application_id}/domain"' in form
    assert 'name="csrf_token"' in form

    # Without the session's token nothing happens.
    refused = client.post(f"/moderation/applications/{application_id}/domain", data={})
    assert refused.status_code == 403
    token = factories.csrf_token(client, f"/moderation/applications/{application_id}")
    confirmed = client.post(
        f"/moderation/applications/{application_id}/domain", data={"csrf_token": token}
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"/moderation/applications/{application_id}"
    stored = db.scalars(
        select(MunicipalityDomain).where(MunicipalityDomain.domain == "stadt-koeln.de")
    ).one()
    assert stored.municipality_id == koeln.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "domain_verified")).one()
    assert event.actor_id == moderator.id and event.object_id == koeln.ags
    after = client.get(f"/moderation/applications/{application_id}").text
    assert "für diese Kommune bestätigt</strong>" in after
    assert f'action="/moderation/applications/{application_id}/domain"' not in after
    again = client.post(
        f"/moderation/applications/{application_id}/domain", data={"csrf_token": token}
    )
    assert again.status_code == 409


def test_a_domain_of_another_municipality_is_not_offered(
    client: TestClient, db: Session, moderator: factories.Account
) -> None:

    koeln, application_id = _koeln(db)
    other = factories.municipality(db, "Anderswo")
    domains.add(db, moderator, other.ags, "stadt-koeln.de")
    page = client.get(f"/moderation/applications/{application_id}").text
    assert f'action="/moderation/applications/{application_id}/domain"' not in page
    assert "Anderswo" in page  # the page says whose domain it is
    token = factories.csrf_token(client, f"/moderation/applications/{application_id}")
    response = client.post(
        f"/moderation/applications/{application_id}/domain", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert koeln.id not in set(db.scalars(select(MunicipalityDomain.municipality_id)))


def test_only_moderators_confirm_domains(client: TestClient, db: Session) -> None:
    _place, application_id = _koeln(db)
    factories.login(client, db, factories.account(db, "Normales Mitglied"))
    token = factories.csrf_token(client, "/")
    response = client.post(
        f"/moderation/applications/{application_id}/domain", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_the_publication_review_offers_withdrawal_only_for_what_is_public(
    client: TestClient, db: Session, settings: Settings
) -> None:

    scene = make_scene(db)
    first = publications.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    reviewer = factories.account(db, "Rita Review", role=Role.MODERATOR)
    factories.login(client, db, reviewer)
    page = client.get(f"/moderation/publications/{first.id}").text
    assert "Öffentliche Version zurückziehen" not in page
    assert "/withdraw" not in page
    assert 'value="decline"' in page  # a first submission is declined, not withdrawn

    review.decide(db, settings, scene.moderator, first.id, "release", "")
    live = client.get(f"/moderation/publications/{first.id}").text
    assert "Öffentliche Version zurückziehen" in live
