"""Site moderators run circles after creating them: the circle list of the moderation
(those without a circle moderator first), a circle's settings and its circle moderators,
each change audited and behind CSRF; members and circle moderators cannot."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState
from app.audit.models import AuditEvent
from app.circles import repository as circle_repository
from app.circles.models import Circle, CircleKind, CircleRole, MembershipState
from tests import factories

pytestmark = pytest.mark.commits


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def _circle(db: Session, circle: Circle) -> Circle:
    db.expire_all()
    found = db.get(Circle, circle.id)
    assert found is not None
    return found


def test_a_site_moderator_changes_a_circle(client: TestClient, db: Session) -> None:
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.MODERATOR)
    lead = factories.account(db, "Carla Chefin")
    circle = factories.circle(db, "CDO-Netzwerk", moderators=[lead], description="Alt")
    factories.login(client, db, staff)
    path = f"/kreise/{circle.id}/verwalten"
    assert f'href="{path}"' in client.get(f"/kreise/{circle.id}").text
    assert f'href="{path}"' in client.get("/moderation/kreise").text
    page = client.get(path)
    assert page.status_code == 200
    assert 'value="CDO-Netzwerk"' in page.text and "Carla Chefin" in page.text
    token = factories.csrf_token(client, path)
    typed = {
        "csrf_token": token,
        "name": "CDO-Netzwerk DACH",
        "description": "Rund **40** CDOs",
        "kind": "working_group",
    }
    refused = client.post(path, data={**typed, "name": "  ", "description": "Behalten"})
    assert refused.status_code == 422 and "Behalten" in refused.text
    assert "Bitte geben Sie einen Namen an." in refused.text
    assert client.post(path, data={**typed, "kind": "club"}).status_code == 422
    no_csrf = {key: value for key, value in typed.items() if key != "csrf_token"}
    assert client.post(path, data=no_csrf).status_code == 403
    assert _circle(db, circle).name == "CDO-Netzwerk"
    saved = client.post(path, data=typed)  # "listed" not ticked: unlisted now
    assert saved.status_code == 303 and saved.headers["location"] == path
    found = _circle(db, circle)
    assert found.name == "CDO-Netzwerk DACH" and found.kind is CircleKind.WORKING_GROUP
    assert not found.listed and "<strong>40</strong>" in found.description_html
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "circle_changed")).one()
    assert event.actor_id == staff.id and event.object_id == str(circle.id)
    assert event.details["circle"] == "CDO-Netzwerk"
    assert event.details["name"] == "CDO-Netzwerk DACH" and event.details["listed"] is False
    # The same again changes nothing and records nothing.
    assert client.post(path, data=typed).status_code == 303
    assert (
        len(db.scalars(select(AuditEvent).where(AuditEvent.action == "circle_changed")).all()) == 1
    )
    log = _words(client.get("/moderation/audit").text)
    assert "Kreis von der Moderation geändert" in log


def test_a_site_moderator_names_and_withdraws_circle_moderators(
    client: TestClient, db: Session
) -> None:
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.MODERATOR)
    lead = factories.account(db, "Carla Chefin")
    member = factories.account(db, "Mats Mitglied")
    outsider = factories.account(db, "Olaf Offen")
    pending = factories.account(db, "Paul Prüfung", state=AccountState.PENDING)
    circle = factories.circle(db, moderators=[lead], members=[member], listed=False)
    factories.login(client, db, staff)
    path = f"/kreise/{circle.id}/verwalten"
    found = client.get(path, params={"q": "O"}).text
    assert "Olaf Offen" in found and "Paul Prüfung" not in found
    token = factories.csrf_token(client, path)
    moderation = f"{path}/moderation"
    assert (
        client.post(moderation, data={"account": str(outsider.id), "decision": "name"}).status_code
        == 403
    )
    # The last circle moderator is not withdrawn.
    last = client.post(
        moderation, data={"csrf_token": token, "account": str(lead.id), "decision": "withdraw"}
    )
    assert last.status_code == 303
    assert "mindestens eine Kreismoderation" in client.get(path).text
    for wrong in (str(pending.id), "x", "999999"):
        answer = client.post(
            moderation, data={"csrf_token": token, "account": wrong, "decision": "name"}
        )
        assert answer.status_code == 303
    assert [a.id for a in circle_repository.running(db, circle.id)] == [lead.id]
    # Someone outside the circle joins as its moderator; a member becomes one.
    for person in (outsider, member):
        named = client.post(
            moderation, data={"csrf_token": token, "account": str(person.id), "decision": "name"}
        )
        assert named.status_code == 303
    running = {a.id for a in circle_repository.running(db, circle.id)}
    assert running == {lead.id, outsider.id, member.id}
    withdrawn = client.post(
        moderation, data={"csrf_token": token, "account": str(lead.id), "decision": "withdraw"}
    )
    assert withdrawn.status_code == 303
    row = circle_repository.membership(db, circle.id, lead.id)
    assert row is not None and row.role is CircleRole.MEMBER and row.state is MembershipState.ACTIVE
    actions = [
        (event.action, event.subject_id)
        for event in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "circle", AuditEvent.actor_id == staff.id)
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == [
        ("circle_moderator_named", outsider.id),
        ("circle_moderator_named", member.id),
        ("circle_moderator_withdrawn", lead.id),
    ]
    assert "Kreismoderation von der Moderation entzogen" in _words(
        client.get("/moderation/audit").text
    )


def test_only_site_moderators_manage_circles(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Carla Chefin")
    member = factories.account(db, "Mats Mitglied")
    circle = factories.circle(db, moderators=[lead], members=[member])
    path = f"/kreise/{circle.id}/verwalten"
    anonymous = client.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    for person in (lead, member):  # a circle moderator runs the circle's members, not this
        factories.login(client, db, person)
        token = factories.csrf_token(client, "/konto")
        assert client.get(path).status_code == 403
        assert client.get("/moderation/kreise").status_code == 403
        posted = client.post(path, data={"csrf_token": token, "name": "Gekapert", "kind": "region"})
        assert posted.status_code == 403
        naming = client.post(
            f"{path}/moderation",
            data={"csrf_token": token, "account": str(person.id), "decision": "name"},
        )
        assert naming.status_code == 403
        assert f'href="{path}"' not in client.get(f"/kreise/{circle.id}").text
    assert _circle(db, circle).name == "CDO-Netzwerk"
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.MODERATOR)
    factories.login(client, db, staff)
    assert client.get("/kreise/999999/verwalten").status_code == 404


def test_a_circle_whose_last_moderator_is_erased_is_listed_for_the_moderation(
    client: TestClient, db: Session
) -> None:
    staff = factories.account(db, "Mia Moderatorin", role=factories.Role.ADMIN)
    lead = factories.account(db, "Carla Chefin")
    member = factories.account(db, "Mats Mitglied")
    circle = factories.circle(db, "Region Nord", moderators=[lead], members=[member])
    other = factories.circle(db, "Open Data", moderators=[member])
    factories.login(client, db, staff)
    assert "Jeder Kreis hat eine Kreismoderation." in client.get("/moderation").text
    token = factories.csrf_token(client, "/moderation")
    erased = client.post(
        f"/moderation/members/{lead.id}/erase",
        data={"csrf_token": token, "erase_reason": "Auf Wunsch"},
    )
    assert erased.status_code == 303
    assert circle_repository.running(db, circle.id) == []
    overview = _words(client.get("/moderation").text)
    assert "1 Kreis ohne Kreismoderation" in overview
    listing = client.get("/moderation/kreise").text
    assert listing.index("Region Nord") < listing.index("Open Data")  # without one first
    assert "Keine Kreismoderation" in _words(listing)
    assert "keine Kreismoderation" in client.get(f"/kreise/{circle.id}/verwalten").text
    named = client.post(
        f"/kreise/{circle.id}/verwalten/moderation",
        data={"csrf_token": token, "account": str(member.id), "decision": "name"},
    )
    assert named.status_code == 303
    assert "Jeder Kreis hat eine Kreismoderation." in client.get("/moderation").text
    assert other.id != circle.id
