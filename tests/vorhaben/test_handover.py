"""Handing a Vorhaben to a colleague (issue 19, part 4): a Vorhaben stays with its
municipality when its author moves away; the author (or a moderator) makes another member
of that municipality its author, audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AccountState, Role
from app.audit.models import AuditEvent
from app.config import Settings
from app.membership import changes
from app.outbox.models import OutboxMessage
from app.vorhaben.models import Vorhaben
from tests import factories

pytestmark = pytest.mark.commits

SECRET = "Geheime Quartiersgarage"


def _author(db: Session, vorhaben: Vorhaben) -> int | None:
    db.expire_all()
    found = db.get(Vorhaben, vorhaben.id)
    assert found is not None
    return found.author_id


def test_the_author_hands_a_vorhaben_to_a_colleague(client: TestClient, db: Session) -> None:
    kiel = factories.municipality(db, "Kiel")
    author = factories.account(db, "Olga Owner", municipality=kiel)
    colleague = factories.account(db, "Kai Kollege", municipality=kiel)
    outsider = factories.account(db, "Otto Outsider")
    factories.account(db, "Peter Pending", state=AccountState.PENDING, municipality=kiel)
    vorhaben = factories.vorhaben(db, author, SECRET, visibility="municipality")
    factories.login(client, db, author)
    detail = client.get(f"/vorhaben/{vorhaben.id}").text
    assert f'href="/vorhaben/{vorhaben.id}/uebergeben"' in detail
    page = client.get(f"/vorhaben/{vorhaben.id}/uebergeben").text
    assert "Kai Kollege" in page
    assert "Otto Outsider" not in page and "Peter Pending" not in page
    token = factories.csrf_token(client, "/konto")
    path = f"/vorhaben/{vorhaben.id}/uebergeben"
    # Someone outside the municipality (or nobody, or nonsense) is refused, the form kept.
    for chosen in (str(outsider.id), "", "abc", "9" * 30):
        refused = client.post(
            path, data={"csrf_token": token, "new_author": chosen, "reason": "Elternzeit"}
        )
        assert refused.status_code == 422, chosen
        assert "Elternzeit" in refused.text
    assert _author(db, vorhaben) == author.id
    assert client.post(path, data={"new_author": str(colleague.id)}).status_code == 403  # CSRF
    handed = client.post(
        path, data={"csrf_token": token, "new_author": str(colleague.id), "reason": "Wechsel"}
    )
    assert handed.status_code == 303
    assert _author(db, vorhaben) == colleague.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "vorhaben_handed_over")).one()
    assert event.actor_id == author.id and event.subject_id == colleague.id
    assert event.details["previous_author_id"] == author.id and event.reason == "Wechsel"
    [told] = [
        row.payload
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == colleague.email
    ]
    assert told["subject"] == "Ein Vorhaben wurde Ihnen übergeben" and SECRET in told["text"]
    assert told["about"]["vorhaben"] == [vorhaben.id]  # checked again when it is sent
    # No longer the author: no second hand-over by them.
    assert client.get(path).status_code == 403


def test_who_may_not_hand_over(client: TestClient, db: Session) -> None:
    kiel = factories.municipality(db, "Kiel")
    author = factories.account(db, "Olga Owner", municipality=kiel)
    colleague = factories.account(db, "Kai Kollege", municipality=kiel)
    outsider = factories.account(db, "Otto Outsider")
    secret = factories.vorhaben(db, author, SECRET, visibility="municipality")
    shared = factories.vorhaben(db, author, "Offenes Portal")
    token = factories.csrf_token(client)
    response = client.get(f"/vorhaben/{secret.id}/uebergeben")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    factories.login(client, db, colleague)  # sees it, edits it, but is not its author
    assert client.get(f"/vorhaben/{secret.id}/uebergeben").status_code == 403
    factories.login(client, db, outsider)
    token = factories.csrf_token(client, "/konto")
    assert client.get(f"/vorhaben/{secret.id}/uebergeben").status_code == 404
    assert client.get(f"/vorhaben/{shared.id}/uebergeben").status_code == 403
    stolen = client.post(
        f"/vorhaben/{secret.id}/uebergeben",
        data={"csrf_token": token, "new_author": str(outsider.id)},
    )
    assert stolen.status_code == 404 and SECRET not in stolen.text
    applicant = factories.account(db, "Ann Antrag", state=AccountState.PENDING)
    factories.application(db, applicant, kiel)
    factories.login(client, db, applicant)
    assert client.get(f"/vorhaben/{secret.id}/uebergeben").status_code == 403
    assert _author(db, secret) == author.id


def test_after_a_move_a_moderator_hands_the_old_vorhaben_over(
    client: TestClient, db: Session, settings: Settings
) -> None:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    author = factories.account(db, "Olga Owner", municipality=kiel)
    colleague = factories.account(db, "Kai Kollege", municipality=kiel)
    moderator = factories.account(db, "Mara Moser", role=Role.MODERATOR, municipality=luebeck)
    secret = factories.vorhaben(db, author, SECRET, visibility="municipality")
    changes.change_directly(db, settings, moderator, author.id, luebeck.ags, "", "Umzug")
    db.flush()
    # The author moved: the Vorhaben stays in Kiel and is gone for them.
    factories.login(client, db, author)
    assert client.get(f"/vorhaben/{secret.id}/uebergeben").status_code == 404
    factories.login(client, db, moderator)
    page = client.get(f"/vorhaben/{secret.id}/uebergeben")
    assert page.status_code == 200 and "Kai Kollege" in page.text
    # Reading another municipality's restricted Vorhaben as a moderator is audited.
    viewed = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "restricted_content_viewed")
    ).one()
    assert viewed.details["grant"] == "handover"
    token = factories.csrf_token(client, "/moderation")
    handed = client.post(
        f"/vorhaben/{secret.id}/uebergeben",
        data={"csrf_token": token, "new_author": str(colleague.id), "reason": "Umzug"},
    )
    assert handed.status_code == 303
    assert _author(db, secret) == colleague.id
    log = client.get("/moderation/audit").text
    assert "Vorhaben an ein anderes Mitglied übergeben" in log
