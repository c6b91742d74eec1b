"""Members of organisations apply like municipal members: the picker finds organisations
(with and without JavaScript), the moderators approve as ever, and the pages that name a
member's municipality name the organisation with its type and country."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.config import Settings
from app.membership import service
from app.membership.models import Application
from app.municipalities.models import Municipality, OrganisationType
from tests import factories

pytestmark = pytest.mark.commits


def _apply_and_get_approved(
    client: TestClient, db: Session, where: Municipality, search: str, name: str
) -> Account:
    applicant = factories.account(db, name, state=AccountState.PENDING)
    factories.login(client, db, applicant)
    token = factories.csrf_token(client, "/membership/apply")
    # The search without JavaScript: a post of the whole form keeps what was typed.
    found = client.post(
        "/membership/apply",
        data={"csrf_token": token, "q": search, "position": "CDO", "action": "search"},
    )
    assert found.status_code == 200
    assert f'name="municipality_ags" value="{where.ags}"' in found.text
    assert 'value="CDO"' in found.text
    # The htmx fragment offers it too.
    fragment = client.get("/membership/municipalities", params={"q": search})
    assert f'value="{where.ags}"' in fragment.text
    applied = client.post(
        "/membership/apply",
        data={
            "csrf_token": token,
            "municipality_ags": where.ags,
            "position": "CDO",
            "reason": "Wir sind im CDO-Netzwerk.",
        },
    )
    assert applied.status_code == 303, applied.text
    application = db.scalars(
        select(Application).where(Application.account_id == applicant.id)
    ).one()
    assert application.municipality_id == where.id
    status = client.get("/membership/status").text
    assert where.display_name in status

    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    review = client.get(f"/moderation/applications/{application.id}")
    assert review.status_code == 200 and where.name in review.text
    token = factories.csrf_token(client, "/moderation/applications")
    decided = client.post(
        f"/moderation/applications/{application.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    assert decided.status_code == 303
    db.refresh(applicant)
    assert applicant.state is AccountState.APPROVED
    assert applicant.municipality_id == where.id
    return applicant


def test_a_member_of_an_austrian_municipality_applies_and_is_approved(
    client: TestClient, db: Session
) -> None:
    wien = factories.organisation(db, "Wien", kind=OrganisationType.KOMMUNE_AUSLAND, country="AT")
    member = _apply_and_get_approved(client, db, wien, "wien", "Wiebke Wiener")
    factories.login(client, db, member)
    profile = client.get(f"/mitglieder/{member.id}").text
    assert "<dt>Organisation</dt>" in profile
    assert "Wien (Kommune im Ausland, Österreich)" in profile
    page = client.get(f"/kommunen/{wien.ags}")
    assert page.status_code == 200
    assert "<dt>Staat</dt><dd>Österreich</dd>" in page.text
    assert "Gemeindeschlüssel" not in page.text
    assert "Wiebke Wiener" in page.text


def test_a_member_of_kgst_applies_and_is_approved(client: TestClient, db: Session) -> None:
    kgst = factories.organisation(db, "KGSt")
    factories.municipality(db, "Kiel")  # the registry is searched as well
    member = _apply_and_get_approved(client, db, kgst, "kgst", "Klara Kast")
    factories.login(client, db, member)
    page = client.get(f"/kommunen/{kgst.ags}").text
    assert "<dt>Art</dt><dd>Verband</dd>" in page and "Deutschland" in page
    assert "Vorhaben dieser Organisation in der Liste filtern" in page


def test_an_organisation_no_longer_offered_cannot_be_chosen(
    client: TestClient, db: Session
) -> None:
    old = factories.organisation(db, "Aufgelöster Verband")
    old.active = False
    db.flush()
    applicant = factories.account(db, state=AccountState.PENDING)
    factories.login(client, db, applicant)
    token = factories.csrf_token(client, "/membership/apply")
    refused = client.post(
        "/membership/apply",
        data={"csrf_token": token, "municipality_ags": old.ags, "position": "CDO"},
    )
    assert refused.status_code == 422
    assert "Diese Kommune gibt es im Verzeichnis nicht." in refused.text


def test_a_verified_domain_of_an_organisation_works_as_for_a_municipality(
    client: TestClient, db: Session, settings: Settings
) -> None:
    """The moderators verify the organisation's mail domain on the domains page (its picker
    finds organisations); an applicant from that domain is then approved as ever."""
    landkreistag = factories.organisation(db, "Deutscher Landkreistag")
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, "/moderation/domains")
    search = client.get("/moderation/domains/municipalities", params={"q": "landkreistag"})
    assert f'value="{landkreistag.ags}"' in search.text
    added = client.post(
        "/moderation/domains",
        data={
            "csrf_token": token,
            "domain": "landkreistag.de",
            "municipality_ags": landkreistag.ags,
        },
    )
    assert added.status_code == 303
    assert "Deutscher Landkreistag (Verband)" in client.get("/moderation/domains").text
    applicant = factories.account(
        db, state=AccountState.PENDING, email="referentin@landkreistag.de"
    )
    configured = settings.model_copy(update={"auto_approve_verified_domains": True})
    application = service.submit_application(
        db, configured, applicant, service.ApplicationForm(landkreistag.ags, "CDO", "")
    )
    assert application.domain_verified and application.auto_approved
    assert applicant.state is AccountState.APPROVED
    assert applicant.municipality_id == landkreistag.id
