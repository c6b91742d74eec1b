"""People change jobs (issue 19, part 4): a member asks to change municipality and/or
position on their account page, a moderator decides, and from the decision on the old
municipality's restricted content is gone for them; a moderator can also move a member
directly. Every step is audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState, Role
from app.audit.models import AuditEvent
from app.config import Settings
from app.membership import changes
from app.membership.models import ChangeState, MembershipChange
from app.outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.commits

SECRET = "Geheime Quartiersgarage"


def _actions(db: Session, subject: Account) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == subject.id)
            .order_by(AuditEvent.id)
        )
    )


def _mails_to(db: Session, address: str | None) -> list[str]:
    return [
        row.payload["subject"]
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == address
    ]


def _request(client: TestClient, token: str, **fields: str) -> Response:
    return client.post("/konto/wechsel", data={"csrf_token": token, **fields})


def test_a_member_asks_a_moderator_approves_and_the_old_restricted_content_is_gone(
    client: TestClient, db: Session
) -> None:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    mover = factories.account(db, "Mia Mover", municipality=kiel)
    owner = factories.account(db, "Olga Owner", municipality=kiel)
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    secret = factories.vorhaben(db, owner, SECRET, visibility="municipality")
    own = factories.vorhaben(db, mover, "Mias Bürgerportal", visibility="municipality")

    factories.login(client, db, mover)
    assert SECRET in client.get(f"/vorhaben/{secret.id}").text  # visible before
    account_page = client.get("/konto").text
    assert 'href="/konto/wechsel"' in account_page
    token = factories.csrf_token(client, "/konto/wechsel")
    response = _request(
        client, token, municipality_ags=luebeck.ags, position="CDO", reason="Neue Stelle"
    )
    assert response.status_code == 303
    assert "Änderung beantragt" in client.get("/konto").text
    page = client.get("/konto/wechsel").text
    assert "Lübeck" in page and "Änderung zurückziehen" in page
    # Still in Kiel until a moderator decides.
    assert SECRET in client.get(f"/vorhaben/{secret.id}").text

    factories.login(client, db, moderator)
    assert "1 offener Wechsel" in client.get("/moderation").text
    queue = client.get("/moderation/wechsel").text
    assert "Mia Mover" in queue and "Lübeck" in queue
    [change] = db.scalars(select(MembershipChange)).all()
    detail = client.get(f"/moderation/wechsel/{change.id}").text
    assert "Neue Stelle" in detail and "Kiel" in detail
    token = factories.csrf_token(client, "/moderation")
    decided = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    assert decided.status_code == 303
    db.expire_all()
    mover_now = db.get(Account, mover.id)
    assert mover_now is not None
    assert mover_now.municipality_id == luebeck.id and mover_now.position == "CDO"
    assert db.get(MembershipChange, change.id).state is ChangeState.APPROVED  # type: ignore[union-attr]
    assert _actions(db, mover)[-2:] == [
        "membership_change_requested",
        "membership_change_approved",
    ]
    assert "Ihre Änderung bei Allmende ist angenommen" in _mails_to(db, mover.email)

    factories.login(client, db, mover)
    assert client.get(f"/vorhaben/{secret.id}").status_code == 404  # gone after
    assert SECRET not in client.get("/vorhaben").text
    # Their own Vorhaben stays with Kiel: a colleague there still edits it.
    assert db.get(factories.Vorhaben, own.id).municipality_id == kiel.id  # type: ignore[union-attr]
    factories.login(client, db, owner)
    assert client.get(f"/vorhaben/{own.id}").status_code == 200


def test_the_request_form_keeps_what_was_typed_and_refuses_nonsense(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db, "Mia Mover")
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/konto/wechsel")
    # Nothing to change: an error, everything typed comes back.
    refused = _request(client, token, municipality_ags="", position="", reason="Nur so")
    assert refused.status_code == 422
    assert "Bitte wählen Sie eine andere Kommune" in refused.text
    assert "Nur so" in refused.text
    for fields in (
        {"municipality_ags": "00000000", "position": "Leitung IT", "reason": "x"},
        {"municipality_ags": "", "position": "x" * 201, "reason": "x"},
        {"municipality_ags": "", "position": "Leitung\u202eIT", "reason": "x"},
        {"municipality_ags": "'; drop table accounts; --", "position": "", "reason": ""},
    ):
        response = _request(client, token, **fields)
        assert response.status_code == 422, fields
        assert fields["reason"] in response.text
    # The search without JavaScript keeps the form.
    factories.municipality(db, "Flensburg")
    searched = _request(
        client, token, q="Flensburg", action="search", position="Leitung IT", reason="Umzug"
    )
    assert searched.status_code == 200
    assert "Flensburg" in searched.text and "Leitung IT" in searched.text
    assert db.scalars(select(MembershipChange)).all() == []


def test_only_the_position_changes_and_a_request_can_be_withdrawn(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db, "Mia Mover")
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/konto/wechsel")
    assert _request(client, token, position="Amtsleitung").status_code == 303
    # A second request while one is open is not filed twice.
    assert _request(client, token, position="Noch was").status_code == 303
    [change] = db.scalars(select(MembershipChange)).all()
    assert change.to_municipality_id is None and change.to_position == "Amtsleitung"
    withdrawn = client.post("/konto/wechsel/zurueckziehen", data={"csrf_token": token})
    assert withdrawn.status_code == 303
    db.expire_all()
    assert db.get(MembershipChange, change.id).state is ChangeState.WITHDRAWN  # type: ignore[union-attr]
    assert _actions(db, member) == ["membership_change_requested", "membership_change_withdrawn"]
    # Nothing left to withdraw: a conflict, not a 500.
    again = client.post("/konto/wechsel/zurueckziehen", data={"csrf_token": token})
    assert again.status_code == 409


def test_a_decline_needs_a_reason_and_changes_nothing(client: TestClient, db: Session) -> None:
    kiel = factories.municipality(db, "Kiel")
    member = factories.account(db, "Mia Mover", municipality=kiel)
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/konto/wechsel")
    _request(client, token, municipality_ags=factories.municipality(db, "Lübeck").ags)
    [change] = db.scalars(select(MembershipChange)).all()
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, "/moderation")
    refused = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "decline", "reason": ""},
    )
    assert refused.status_code == 422
    nonsense = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "maybe", "reason": "Text bleibt"},
    )
    assert nonsense.status_code == 422 and "Text bleibt" in nonsense.text
    declined = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "decline", "reason": "Bitte Nachweis"},
    )
    assert declined.status_code == 303
    db.expire_all()
    assert db.get(Account, member.id).municipality_id == kiel.id  # type: ignore[union-attr]
    assert "membership_change_declined" in _actions(db, member)
    assert "Ihre Änderung bei Allmende" in _mails_to(db, member.email)
    twice = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    assert twice.status_code == 409


def test_a_moderator_moves_a_member_directly_with_a_reason(client: TestClient, db: Session) -> None:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    member = factories.account(db, "Mia Mover", municipality=kiel)
    member.local_contact = True
    owner = factories.account(db, "Olga Owner", municipality=kiel)
    secret = factories.vorhaben(db, owner, SECRET, visibility="municipality")
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    factories.login(client, db, moderator)
    assert "Kommune oder Funktion ändern" in client.get(f"/moderation/members/{member.id}").text
    token = factories.csrf_token(client, "/moderation")
    path = f"/moderation/members/{member.id}/kommune"
    assert client.get(path).status_code == 200
    no_reason = client.post(
        path, data={"csrf_token": token, "municipality_ags": luebeck.ags, "position": "CIO"}
    )
    assert no_reason.status_code == 422 and "CIO" in no_reason.text
    same = client.post(
        path, data={"csrf_token": token, "municipality_ags": kiel.ags, "reason": "Umzug"}
    )
    assert same.status_code == 422 and "Umzug" in same.text
    moved = client.post(
        path,
        data={"csrf_token": token, "municipality_ags": luebeck.ags, "reason": "Stellenwechsel"},
    )
    assert moved.status_code == 303
    db.expire_all()
    now = db.get(Account, member.id)
    assert now is not None and now.municipality_id == luebeck.id and not now.local_contact
    assert _actions(db, member)[-2:] == ["local_contact_revoked", "account_municipality_changed"]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "account_municipality_changed")
    ).one()
    assert event.actor_id == moderator.id and event.reason == "Stellenwechsel"
    assert "Kiel" in event.details["before"] and "Lübeck" in event.details["after"]
    assert "Ihre Kommune bei Allmende hat sich geändert" in _mails_to(db, member.email)
    log = client.get(f"/moderation/audit?subject={member.id}").text
    assert "Kommune eines Mitglieds von der Moderation geändert" in log
    factories.login(client, db, member)
    assert client.get(f"/vorhaben/{secret.id}").status_code == 404


def test_the_moderators_own_change_and_staff_accounts_are_for_others(
    client: TestClient, db: Session
) -> None:
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR)
    other_moderator = factories.account(db, "Max Moser", role=Role.MODERATOR)
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, "/moderation")
    target = factories.municipality(db, "Lübeck").ags
    for who in (moderator, other_moderator):
        response = client.post(
            f"/moderation/members/{who.id}/kommune",
            data={"csrf_token": token, "municipality_ags": target, "reason": "Wechsel"},
        )
        assert response.status_code == 403, who
    # Deciding one's own request is someone else's job.
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, "/konto/wechsel")
    _request(client, token, position="Neue Rolle")
    [change] = db.scalars(select(MembershipChange)).all()
    own = client.post(
        f"/moderation/wechsel/{change.id}",
        data={"csrf_token": token, "decision": "approve", "reason": ""},
    )
    assert own.status_code == 403


def test_who_may_not_reach_the_change_pages(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Paul Plain")
    token = factories.csrf_token(client)
    # Anonymous: to the sign-in.
    paths = ("/konto/wechsel", "/moderation/wechsel", f"/moderation/members/{member.id}/kommune")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # An applicant: not a member.
    applicant = factories.account(db, "Ann Antrag", state=AccountState.PENDING)
    factories.application(db, applicant)
    factories.login(client, db, applicant)
    assert client.get("/konto/wechsel").status_code == 403
    # A plain member: their own request yes, the moderators' side no.
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/konto")
    assert client.get("/konto/wechsel").status_code == 200
    assert client.get("/moderation/wechsel").status_code == 403
    assert client.get(f"/moderation/wechsel/{member.id}").status_code == 403
    denied = client.post(
        f"/moderation/members/{member.id}/kommune",
        data={"csrf_token": token, "municipality_ags": "x", "reason": "y"},
    )
    assert denied.status_code == 403
    # Without the CSRF token nothing happens.
    forged = client.post("/konto/wechsel", data={"position": "Gefälscht"})
    assert forged.status_code == 403
    assert db.scalars(select(MembershipChange)).all() == []


def test_a_request_is_in_the_data_export_and_forgotten_on_erasure(
    db: Session, settings: Settings
) -> None:
    member = factories.account(db, "Mia Mover")
    member.local_contact = True
    changes.request_change(
        db, member, changes.ChangeForm(position="Amtsleitung", reason="Neue Stelle in Kiel")
    )
    [entry] = privacy.export(db, member)["membership_changes"]
    assert entry["to_position"] == "Amtsleitung" and entry["reason"] == "Neue Stelle in Kiel"
    privacy.erase(db, settings, member, actor=member)
    db.flush()
    db.expire_all()
    [change] = db.scalars(select(MembershipChange)).all()
    assert change.reason == "" and change.to_position is None and change.from_position is None
    erased = db.get(Account, member.id)
    assert erased is not None and not erased.local_contact
