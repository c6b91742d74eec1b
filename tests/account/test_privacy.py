"""Data-protection rights: the export (fresh sign-in, all own data, nobody else's
identifiers) and erasure (nothing shows the name or mail any more)."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import AuthSession
from app.config import Settings
from app.core import clock
from app.export import feed
from app.membership.models import Account, AccountState, Identity
from app.outbox.models import OutboxMessage
from app.search import query
from app.vorhaben import cooperation
from app.vorhaben.listing import VorhabenFilter
from tests import factories
from tests.publishing import Scene, publish


def test_the_export_needs_a_fresh_sign_in(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    assert client.get("/konto/daten/export.json").status_code == 200
    clock.travel(dt.timedelta(minutes=11))
    stale = client.get("/konto/daten/export.json")
    assert stale.status_code == 303 and stale.headers["location"] == "/konto/daten"
    assert "neu anmelden" in client.get("/konto/daten").text


def test_the_export_holds_my_data_and_no_one_elses(
    client: TestClient, db: Session, settings: Settings
) -> None:
    me = factories.account(db, "Mia Meier", email="mia@stadt.example")
    other = factories.account(db, "Otto Other", email="otto@elsewhere.example")
    moderator = factories.account(
        db, "Mara Moser", role=factories.Role.MODERATOR, email="mara@verband.example"
    )
    mine = factories.vorhaben(db, me, "Mein Vorhaben", description="Meine Beschreibung")
    theirs = factories.vorhaben(db, other, "Ottos Vorhaben")
    factories.comment(db, me, theirs, "Mein Kommentar bei Otto")
    factories.comment(db, other, mine, "Ottos Kommentar bei mir")
    cooperation.set_signal(db, settings, me, theirs.id, "reuse", on=True)
    from app.membership import accounts

    accounts.suspend(db, settings, moderator, me.id, "Zum Test")
    accounts.reinstate(db, settings, moderator, me.id, "Geklärt")
    factories.login(client, db, me)
    response = client.get("/konto/daten/export.json")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    data = response.json()
    assert data["profile"]["display_name"] == "Mia Meier"
    assert [v["title"] for v in data["vorhaben"]] == ["Mein Vorhaben"]
    assert [c["body"] for c in data["comments"]] == ["Mein Kommentar bei Otto"]
    assert data["signals"][0]["kind"] == "reuse"
    assert len(data["sessions"]) == 1 and data["identities"][0]["subject"]
    assert {event["action"] for event in data["audit_events"]} >= {
        "account_suspended",
        "account_reinstated",
    }
    text = json.dumps(data, ensure_ascii=False)
    for foreign in (
        "Otto Other",
        "otto@elsewhere",
        "Mara Moser",
        "mara@verband",
        "Ottos Kommentar",
    ):
        assert foreign not in text, foreign

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {key for item in value.values() for key in keys(item)}
        if isinstance(value, list):
            return {key for item in value for key in keys(item)}
        return set()

    # Other people are named by role ("Moderation"), never by account id.
    assert not keys(data) & {
        "actor_id",
        "account_id",
        "author_id",
        "decided_by_id",
        "reporter_id",
        "editor_id",
        "subject_id",
    }


def test_erasure_removes_the_person_everywhere(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    me = scene.owner
    publication = publish(db, settings, scene, consent=True)
    commenter_view = factories.account(db, "Lea Leser")
    factories.comment(db, me, scene.vorhaben, "Kommentar von Olga")
    factories.login(client, db, me)
    token = factories.csrf_token(client, "/konto/daten")
    wrong = client.post("/konto/loeschen", data={"csrf_token": token, "confirmation": "ja"})
    assert wrong.status_code == 422
    erased = client.post("/konto/loeschen", data={"csrf_token": token, "confirmation": "löschen"})
    assert erased.status_code == 303 and erased.headers["location"] == "/login"
    db.refresh(me)
    assert me.state is AccountState.ERASED and me.email is None
    assert db.scalars(select(Identity).where(Identity.account_id == me.id)).all() == []
    assert db.scalars(select(AuthSession).where(AuthSession.account_id == me.id)).all() == []
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"] is None and entry.item["version"] == 2
    factories.login(client, db, commenter_view)
    for page in (
        f"/vorhaben/{scene.vorhaben.id}",
        "/vorhaben",
        "/suche?q=Olga",
        "/benachrichtigungen",
        f"/p/{publication.id}",
    ):
        html = client.get(page).text
        assert "Olga Owner" not in html and "olga@owner.example" not in html, page
    assert "Ehemaliges Mitglied" in client.get(f"/vorhaben/{scene.vorhaben.id}").text
    assert query.search(db, commenter_view, "Olga Owner", VorhabenFilter()).total == 0
    feed_text = json.dumps([row.item for row in feed.after(db, 0, 100).entries])
    assert "Olga" not in feed_text and "olga@" not in feed_text
    later_mails = [
        row.payload
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == "olga@owner.example"
        and "Gelöscht" in row.payload.get("subject", "")
    ]
    assert later_mails == []


def test_the_confirmation_word_follows_the_language(client: TestClient, db: Session) -> None:
    english = {"Accept-Language": "en"}
    german = factories.account(db)
    factories.login(client, db, german)
    token = factories.csrf_token(client, "/konto/daten")
    assert "LÖSCHEN" in client.get("/konto/daten").text
    refused = client.post("/konto/loeschen", data={"csrf_token": token, "confirmation": "DELETE"})
    assert refused.status_code == 422 and "LÖSCHEN" in refused.text
    # An English page asks for the English word; the German one is accepted all the same.
    for word in ("delete", "LÖSCHEN"):
        member = factories.account(db)
        factories.login(client, db, member)
        page = client.get("/konto/daten", headers=english)
        assert "DELETE" in page.text and "LÖSCHEN" not in page.text
        token = factories.csrf_token(client, "/konto/daten")
        erased = client.post(
            "/konto/loeschen",
            data={"csrf_token": token, "confirmation": word},
            headers=english,
        )
        assert erased.status_code == 303, word
        db.refresh(member)
        assert member.state is AccountState.ERASED


def test_an_admin_erases_on_request(client: TestClient, db: Session) -> None:
    person = factories.account(db, "Paula")
    factories.login(client, db, factories.account(db, role=factories.Role.ADMIN))
    token = factories.csrf_token(client, f"/moderation/members/{person.id}")
    missing = client.post(f"/moderation/members/{person.id}/erase", data={"csrf_token": token})
    assert missing.status_code == 422
    done = client.post(
        f"/moderation/members/{person.id}/erase",
        data={"csrf_token": token, "erase_reason": "Mail vom 3. März"},
    )
    assert done.status_code == 303
    db.refresh(person)
    assert person.state is AccountState.ERASED
    assert db.get(Account, person.id) is not None  # a minimal record remains
