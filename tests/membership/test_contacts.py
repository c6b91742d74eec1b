"""Local contact persons (issue 19, part 6): a moderator names an approved member the
contact of their municipality; the contact confirms or declines the applications from
that municipality, never any other, and sees nothing else of the moderation area; the
central moderators see each such decision and can reverse it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Role
from app.audit.models import AuditEvent
from app.auth.access import iter_routes
from app.membership.models import Application, ApplicationState
from app.outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.commits


@dataclass
class Scene:
    kiel: factories.Municipality
    luebeck: factories.Municipality
    contact: Account
    moderator: Account
    local: Application  # from Kiel
    foreign: Application  # from Lübeck


@pytest.fixture
def scene(db: Session) -> Scene:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    contact = factories.account(db, "Carla Contact", municipality=kiel)
    contact.local_contact = True
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    local_applicant = factories.account(db, "Anna Kiel", state=AccountState.PENDING)
    foreign_applicant = factories.account(db, "Bert Lübeck", state=AccountState.PENDING)
    local = factories.application(db, local_applicant, kiel, reason="Ich leite das Bürgeramt")
    foreign = factories.application(db, foreign_applicant, luebeck, reason="Geheimer Grund")
    db.flush()
    return Scene(kiel, luebeck, contact, moderator, local, foreign)


def _actions(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_moderator_names_and_revokes_a_contact(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Carla Contact")
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, moderator)
    page = client.get(f"/moderation/members/{member.id}").text
    assert "Als Ansprechperson benennen" in page
    token = factories.csrf_token(client, "/moderation")
    path = f"/moderation/members/{member.id}/ansprechperson"
    named = client.post(path, data={"csrf_token": token, "action": "name", "contact_reason": ""})
    assert named.status_code == 303
    db.expire_all()
    assert db.get(Account, member.id).local_contact  # type: ignore[union-attr]
    overview = client.get("/moderation/ansprechpersonen").text
    assert "Carla Contact" in overview
    revoked = client.post(
        path, data={"csrf_token": token, "action": "revoke", "contact_reason": "Wechsel"}
    )
    assert revoked.status_code == 303
    db.expire_all()
    assert not db.get(Account, member.id).local_contact  # type: ignore[union-attr]
    assert _actions(db)[-2:] == ["local_contact_named", "local_contact_revoked"]
    subjects = [
        row.payload["subject"]
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == member.email
    ]
    assert "Sie sind Ansprechperson Ihrer Kommune bei Allmende" in subjects
    assert "Sie sind nicht mehr Ansprechperson Ihrer Kommune" in subjects
    nonsense = client.post(path, data={"csrf_token": token, "action": "boss"})
    assert nonsense.status_code == 422
    # A pending applicant cannot be named (a conflict, not a 500).
    applicant = factories.account(db, "Ann Antrag", state=AccountState.PENDING)
    refused = client.post(
        f"/moderation/members/{applicant.id}/ansprechperson",
        data={"csrf_token": token, "action": "name"},
    )
    assert refused.status_code == 409


def test_a_contact_sees_and_confirms_only_their_own_municipality(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.contact)
    assert 'href="/ansprechperson/antraege"' in client.get("/").text
    queue = client.get("/ansprechperson/antraege").text
    assert "Anna Kiel" in queue and "Bert Lübeck" not in queue
    detail = client.get(f"/ansprechperson/antraege/{scene.local.id}").text
    assert "Ich leite das Bürgeramt" in detail
    # Another municipality's application does not exist for them.
    foreign = client.get(f"/ansprechperson/antraege/{scene.foreign.id}")
    assert foreign.status_code == 404 and "Geheimer Grund" not in foreign.text
    token = factories.csrf_token(client, "/ansprechperson/antraege")
    denied = client.post(
        f"/ansprechperson/antraege/{scene.foreign.id}",
        data={"csrf_token": token, "decision": "approve"},
    )
    assert denied.status_code == 404
    assert (
        client.post(
            "/ansprechperson/antraege/999999", data={"csrf_token": token, "decision": "approve"}
        ).status_code
        == 404
    )
    # Nothing else of the moderation area.
    for path in (
        "/moderation",
        "/moderation/applications",
        f"/moderation/applications/{scene.local.id}",
        "/moderation/members",
        "/moderation/wechsel",
        "/moderation/ansprechpersonen",
        "/moderation/audit",
    ):
        assert client.get(path).status_code == 403, path
    # Only confirm and decline; a decline needs a reason and keeps what was typed.
    info = client.post(
        f"/ansprechperson/antraege/{scene.local.id}",
        data={"csrf_token": token, "decision": "request_info", "reason": "Wer sind Sie?"},
    )
    assert info.status_code == 422 and "Wer sind Sie?" in info.text
    no_reason = client.post(
        f"/ansprechperson/antraege/{scene.local.id}",
        data={"csrf_token": token, "decision": "decline", "reason": ""},
    )
    assert no_reason.status_code == 422
    forged = client.post(f"/ansprechperson/antraege/{scene.local.id}", data={"decision": "approve"})
    assert forged.status_code == 403
    confirmed = client.post(
        f"/ansprechperson/antraege/{scene.local.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    assert confirmed.status_code == 303
    db.expire_all()
    local = db.get(Application, scene.local.id)
    assert local is not None and local.state is ApplicationState.APPROVED
    assert local.decided_by_id == scene.contact.id
    assert db.get(Account, local.account_id).state is AccountState.APPROVED  # type: ignore[union-attr]
    assert db.get(Application, scene.foreign.id).state is ApplicationState.SUBMITTED  # type: ignore[union-attr]
    assert "application_approved_by_contact" in _actions(db)
    after = client.get("/ansprechperson/antraege").text
    assert "Entscheidung gespeichert: Anna Kiel – Bestätigen" in after  # the flash
    assert "Zurzeit gibt es keine offenen Anträge" in after


def test_the_moderators_see_a_contacts_decision_and_reverse_it(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.contact)
    token = factories.csrf_token(client, "/ansprechperson/antraege")
    client.post(
        f"/ansprechperson/antraege/{scene.local.id}",
        data={"csrf_token": token, "decision": "approve", "reason": "Kenne ich"},
    )
    factories.login(client, db, scene.moderator)
    overview = client.get("/moderation/ansprechpersonen").text
    assert "Anna Kiel" in overview and "Carla Contact" in overview
    assert "Von der Ansprechperson der Kommune bestätigt" in overview
    page = client.get(f"/moderation/applications/{scene.local.id}").text
    assert "Entschieden von" in page and "Carla Contact" in page
    assert "Antrag wieder öffnen" in page
    log = client.get("/moderation/audit").text
    assert "Antrag von der Ansprechperson der Kommune bestätigt" in log

    token = factories.csrf_token(client, "/moderation")
    path = f"/moderation/applications/{scene.local.id}/reopen"
    no_reason = client.post(path, data={"csrf_token": token, "reopen_reason": ""})
    assert no_reason.status_code == 422 and "Antrag wieder öffnen" in no_reason.text
    reopened = client.post(path, data={"csrf_token": token, "reopen_reason": "Nicht bekannt"})
    assert reopened.status_code == 303
    db.expire_all()
    local = db.get(Application, scene.local.id)
    assert local is not None and local.state is ApplicationState.SUBMITTED
    applicant = db.get(Account, local.account_id)
    assert applicant is not None and applicant.state is AccountState.PENDING
    assert _actions(db)[-1] == "application_reopened"
    assert "Anna Kiel" in client.get("/moderation/applications").text
    # Once open, it cannot be reopened again.
    assert client.post(path, data={"csrf_token": token, "reopen_reason": "x"}).status_code == 409
    # The applicant lost access until the new decision.
    factories.login(client, db, applicant)
    assert client.get("/vorhaben").status_code == 403


def test_a_contacts_decline_can_be_reopened(client: TestClient, db: Session, scene: Scene) -> None:
    factories.login(client, db, scene.contact)
    token = factories.csrf_token(client, "/ansprechperson/antraege")
    declined = client.post(
        f"/ansprechperson/antraege/{scene.local.id}",
        data={"csrf_token": token, "decision": "decline", "reason": "Unbekannt"},
    )
    assert declined.status_code == 303
    assert "application_declined_by_contact" in _actions(db)
    factories.login(client, db, scene.moderator)
    token = factories.csrf_token(client, "/moderation")
    reopened = client.post(
        f"/moderation/applications/{scene.local.id}/reopen",
        data={"csrf_token": token, "reopen_reason": "Ist doch bekannt"},
    )
    assert reopened.status_code == 303
    db.expire_all()
    assert db.get(Application, scene.local.id).state is ApplicationState.SUBMITTED  # type: ignore[union-attr]


def test_who_may_not_reach_the_contact_pages(client: TestClient, db: Session, scene: Scene) -> None:
    paths = ("/ansprechperson/antraege", f"/ansprechperson/antraege/{scene.local.id}")
    # Anonymous: to the sign-in.
    for path in paths:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # A contact of another municipality: the list is theirs, Kiel's application is not.
    other = factories.account(db, "Lars Lübeck", municipality=scene.luebeck)
    other.local_contact = True
    factories.login(client, db, other)
    queue = client.get("/ansprechperson/antraege").text
    assert "Bert Lübeck" in queue and "Anna Kiel" not in queue
    assert client.get(paths[1]).status_code == 404
    # A plain member of the same municipality, a moderator who is no contact, an applicant.
    plain = factories.account(db, "Paul Plain", municipality=scene.kiel)
    applicant = db.get(Account, scene.foreign.account_id)
    assert applicant is not None
    for who, status in ((plain, 403), (scene.moderator, 403), (applicant, 403)):
        factories.login(client, db, who)
        for path in paths:
            assert client.get(path).status_code == status, (who.display_name, path)
    # A contact who is suspended or moved away is no longer one.
    factories.login(client, db, scene.contact)
    scene.contact.state = AccountState.SUSPENDED
    db.flush()
    assert client.get(paths[0]).status_code == 403


def test_a_contact_is_told_of_a_new_application_from_their_municipality(
    client: TestClient, db: Session, scene: Scene
) -> None:
    elsewhere = factories.account(db, "Lars Lübeck", municipality=scene.luebeck)
    elsewhere.local_contact = True
    newcomer = factories.account(db, "Nina Neu", state=AccountState.PENDING)
    factories.login(client, db, newcomer)
    token = factories.csrf_token(client, "/membership/apply")
    filed = client.post(
        "/membership/apply",
        data={"csrf_token": token, "municipality_ags": scene.kiel.ags, "position": "CDO"},
    )
    assert filed.status_code == 303
    application = db.scalars(select(Application).where(Application.account_id == newcomer.id)).one()
    mails = {
        row.payload["to"]: row.payload["text"]
        for row in db.scalars(select(OutboxMessage))
        if "Nina Neu" in row.payload["subject"]
    }
    assert f"/ansprechperson/antraege/{application.id}" in mails[scene.contact.email]
    assert f"/moderation/applications/{application.id}" in mails[scene.moderator.email]
    assert elsewhere.email not in mails


def test_no_route_of_the_moderation_area_opens_to_a_contact(
    client: TestClient, app: FastAPI, db: Session, scene: Scene
) -> None:
    """Every route under /moderation and /admin, each method, ids that exist: 403."""
    factories.login(client, db, scene.contact)
    token = factories.csrf_token(client, "/ansprechperson/antraege")
    ids = str(scene.local.id)
    walked = 0
    for route in iter_routes(app):
        if not route.path.startswith(("/moderation", "/admin")):
            continue
        path = re.sub(r"\{[^}]+\}", ids, route.path).replace("{target_type}", "comment")
        if route.method == "GET":
            status = client.get(path).status_code
        else:
            status = client.request(route.method, path, data={"csrf_token": token}).status_code
        assert status == 403, (route.method, route.path, status)
        walked += 1
    assert walked > 30
    db.expire_all()
    assert db.get(Application, scene.local.id).state is ApplicationState.SUBMITTED  # type: ignore[union-attr]


def test_a_refused_naming_keeps_what_was_typed(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Carla Contact")
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, "/moderation")
    refused = client.post(
        f"/moderation/members/{member.id}/ansprechperson",
        data={"csrf_token": token, "action": "name", "contact_reason": "Bitte\u202eumdrehen"},
    )
    assert refused.status_code == 422
    assert "Bitte\u202eumdrehen" in refused.text or "Bitte&#8238;umdrehen" in refused.text
    db.expire_all()
    assert not db.get(Account, member.id).local_contact  # type: ignore[union-attr]


def test_every_contact_route_declares_the_contact_dependency(app: FastAPI) -> None:
    routes = [route for route in iter_routes(app) if route.path.startswith("/ansprechperson")]
    assert len(routes) == 3
    for route in routes:
        assert {"member", "contact"} <= route.levels, route
        assert "moderator" not in route.levels, route
