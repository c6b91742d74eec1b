"""Data-protection rights: the export (fresh sign-in, all own data, nobody else's
identifiers) and erasure (nothing shows the name or mail any more)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState, Identity, MailMode
from app.auth.models import AuthSession
from app.comments import service as comments
from app.config import Settings
from app.core import clock
from app.export import feed, partners
from app.export.models import PublicationVersion
from app.membership import accounts
from app.moderation import reports
from app.municipalities.models import Municipality
from app.notifications import service as notifications
from app.outbox.models import OutboxMessage
from app.search import query
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import VorhabenVersion
from app.vorhaben.repository import VorhabenFilter
from tests import factories
from tests.publishing import Scene, publish

pytestmark = pytest.mark.commits


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


NAME, MAIL = "Olga Owner", "olga@owner.example"


def _without_search_field(html: str) -> str:
    """The page without the search box (it repeats whatever was searched for)."""
    return re.sub(r'<input type="search"[^>]*>', "", html)


def _mentions(text: str) -> list[str]:
    return [found for found in (NAME, MAIL, "Owner", "olga@") if found in text]


def _last_outbox_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"webhooks_allow_private": True}


def test_erasure_removes_the_person_from_every_page_mail_and_feed(
    client: TestClient, app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    me = scene.owner  # Olga Owner, olga@owner.example
    assert (me.display_name, me.email) == (NAME, MAIL)
    partner, _key = partners.create(db, "Civic Platform")
    partners.add_webhook(db, settings, partner, "http://127.0.0.1:9/hook")
    publication = publish(db, settings, scene, consent=True)  # Olga is the public contact
    # A colleague's Vorhaben names Olga as its contact person; Olga comments on it, and edits.
    colleague = factories.account(db, "Bea Kollegin", municipality=_home(db, me))
    theirs = factories.vorhaben(db, colleague, "Offene Ratsdaten")
    form = vorhaben_service.form_from(theirs)
    form.contacts = [str(me.id)]
    vorhaben_service.update(db, settings, colleague, theirs.id, form)
    mine = factories.comment(db, me, theirs, "Wir machen das auch so.")
    comments.edit(db, me, mine.id, "Wir machen das genauso.")
    # Lea follows Olga's Vorhaben, reads by digest, and replies to Olga.
    lea = factories.account(db, "Lea Leser", municipality=_home(db, me))
    lea.mail_mode = MailMode.DIGEST
    cooperation.set_follow(db, lea, scene.vorhaben.id, on=True)
    factories.comment(db, me, scene.vorhaben, "Stand: Pilot läuft")
    reply = factories.comment(db, lea, theirs, "Wie genau?", parent=mine)
    factories.comment(db, me, theirs, "Mit CKAN.", parent=reply)
    moderator = factories.account(db, "Mara Moser", role=factories.Role.MODERATOR)
    ags = _home(db, me).ags

    member_pages = [
        "/",  # Lea's dashboard: activity on what she follows
        f"/vorhaben/{scene.vorhaben.id}",  # author, comment author
        f"/vorhaben/{theirs.id}",  # contact person, comment author
        f"/vorhaben/{theirs.id}/versionen/2",  # the version that added her as contact
        f"/kommunen/{ags}",  # the municipality's members
        "/benachrichtigungen",  # Lea's: Olga replied
    ]
    # Pages that never name her (cards, version lists, search hits, Atom), checked after too.
    quiet_pages = [
        "/vorhaben",
        f"/vorhaben/{theirs.id}/versionen",
        f"/kommentare/{mine.id}/verlauf",
        "/suche?q=Olga+Owner",
        "/suche?q=Ratsdaten",
    ]
    moderator_pages = [
        "/moderation/members",
        f"/moderation/members/{me.id}",
        "/moderation/audit",
    ]
    public = [
        f"/p/{publication.id}",
        f"/api/v1/projects/{publication.id}",
        "/api/v1/projects",
    ]

    def crawl(who: TestClient, paths: list[str]) -> dict[str, list[str]]:
        return {path: _mentions(_without_search_field(who.get(path).text)) for path in paths}

    factories.login(client, db, lea)
    with TestClient(app, follow_redirects=False) as mod:
        factories.login(mod, db, moderator)
        # Before: every one of these shows Olga (so "gone" below means something).
        before = {
            **crawl(client, [f"/mitglieder/{me.id}", *member_pages]),
            **crawl(mod, moderator_pages),
            **crawl(client, public),
        }
        missing = [path for path, found in before.items() if not found]
        assert not missing, missing
        assert any(crawl(client, ["/feeds/projects.atom", *quiet_pages]).values()) is False
        assert "Digitaler Bauantrag" in client.get("/feeds/projects.atom").text
        digest = _digest(db, settings, lea)
        assert digest and "Digitaler Bauantrag" in digest[0]
        assert _copies_naming_her(db) == {"mails to her", "publication versions", "versions"}

        # Olga erases her account.
        after_erasure = _last_outbox_id(db)
        with TestClient(app, follow_redirects=False) as olga:
            factories.login(olga, db, me)
            token = factories.csrf_token(olga, "/konto/daten")
            erased = olga.post(
                "/konto/loeschen", data={"csrf_token": token, "confirmation": "löschen"}
            )
            assert erased.status_code == 303
        db.refresh(me)
        assert me.state is AccountState.ERASED and me.email is None
        assert db.scalars(select(Identity).where(Identity.account_id == me.id)).all() == []
        assert db.scalars(select(AuthSession).where(AuthSession.account_id == me.id)).all() == []
        entry = feed.get(db, publication.id)
        assert entry is not None and entry.item["contact"] is None
        assert entry.item["version"] == 2  # a new version, pushed to the partner

        # Life goes on: comments, a reply to her, a report and a decision about her comment.
        factories.comment(db, lea, scene.vorhaben, "Und wie geht es weiter?")
        factories.comment(db, colleague, theirs, "Danke!", parent=mine)
        reports.report(db, settings, lea, "comment", mine.id, "other", "Veraltet")
        reports.decide(db, settings, moderator, "comment", mine.id, "hide", "Veraltet")

        after = {
            **crawl(client, [*member_pages, *quiet_pages, "/feeds/projects.atom"]),
            **crawl(mod, moderator_pages),
            **crawl(client, public),
        }
        assert {path: found for path, found in after.items() if found} == {}
        assert client.get(f"/mitglieder/{me.id}").status_code == 404
        assert "Ehemaliges Mitglied" in client.get(f"/vorhaben/{theirs.id}").text
        digest = _digest(db, settings, lea)
        assert digest and "Digitaler Bauantrag" in digest[0] and not _mentions(digest[0])
    later = list(db.scalars(select(OutboxMessage).where(OutboxMessage.id > after_erasure)))
    assert {row.channel.value for row in later} == {"mail", "webhook"}  # mails did go out
    for row in later:
        assert not _mentions(json.dumps(row.payload, ensure_ascii=False)), row.payload
    assert query.search(db, lea, NAME, VorhabenFilter()).total == 0
    assert _copies_naming_her(db) == set()
    feed_text = json.dumps([row.item for row in feed.after(db, 0, 100).entries])
    assert not _mentions(feed_text)


def _copies_naming_her(db: Session) -> set[str]:
    """Stored copies that still name Olga: mails to her, version snapshots."""
    found = set()
    if any(row.payload.get("to") == MAIL for row in db.scalars(select(OutboxMessage))):
        found.add("mails to her")
    if any(_mentions(json.dumps(row.item)) for row in db.scalars(select(PublicationVersion))):
        found.add("publication versions")
    if any(_mentions(json.dumps(row.snapshot)) for row in db.scalars(select(VorhabenVersion))):
        found.add("versions")
    return found


def _home(db: Session, member: Account) -> Municipality:
    home = db.get(Municipality, member.municipality_id)
    assert home is not None
    return home


def _digest(db: Session, settings: Settings, reader: Account) -> list[str]:
    """The digest the reader gets tomorrow at 9:00 Berlin time (rolled back afterwards)."""
    last = _last_outbox_id(db)
    now = clock.utcnow()
    tomorrow = now.astimezone(clock.BERLIN).date() + dt.timedelta(days=1)
    shift = dt.datetime.combine(tomorrow, dt.time(9), clock.BERLIN) - now
    savepoint = db.begin_nested()
    clock.travel(shift)
    try:
        notifications.send_digests(db, settings)
        return [
            f"{row.payload['subject']}\n{row.payload['text']}\n{row.payload['html']}"
            for row in db.scalars(select(OutboxMessage).where(OutboxMessage.id > last))
            if row.payload.get("to") == reader.email
        ]
    finally:
        clock.travel(-shift)
        savepoint.rollback()


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


def test_erasure_leaves_a_namesake_elsewhere_alone(db: Session, settings: Settings) -> None:
    leaving = factories.account(db, NAME, email=MAIL)
    namesake = factories.account(db, NAME, email="olga@anderswo.example")
    colleague = factories.account(db, municipality=db.get(Municipality, namesake.municipality_id))
    theirs = factories.vorhaben(db, colleague, "Anderswo")
    form = vorhaben_service.form_from(theirs)
    form.contacts = [str(namesake.id)]
    vorhaben_service.update(db, settings, colleague, theirs.id, form)
    privacy.erase(db, settings, leaving, actor=leaving)
    latest = vorhaben_service.versions(db, theirs.id)
    named = [{"id": namesake.id, "name": NAME}]
    assert any(version.snapshot.get("contacts") == named for version in latest)


def test_erasure_removes_every_name_a_contact_had_from_the_versions(
    client: TestClient, db: Session, settings: Settings
) -> None:
    """The provider renamed the contact between two edits; erasure finds every version
    naming her by who she is, not by the name she carries today."""
    town = factories.municipality(db, "Namensstadt")
    author = factories.account(db, "Bea Kollegin", municipality=town)
    leaving = factories.account(db, "Olga Mädchenname", email=MAIL, municipality=town)
    theirs = factories.vorhaben(db, author, "Offene Ratsdaten")
    form = vorhaben_service.form_from(theirs)
    form.contacts = [str(leaving.id)]
    vorhaben_service.update(db, settings, author, theirs.id, form)  # version 2: old name
    leaving.display_name = "Olga Ehename"  # the provider's next sign-in
    db.flush()
    form.summary = "Jetzt mit Beschluss"
    vorhaben_service.update(db, settings, author, theirs.id, form)  # version 3: new name
    reader = factories.account(db, "Lea Leser", municipality=town)
    factories.login(client, db, reader)
    pages = [f"/vorhaben/{theirs.id}/versionen/{number}" for number in (2, 3)]
    assert "Mädchenname" in client.get(pages[0]).text
    assert "<del>Mädchenname</del>" in client.get(pages[1]).text
    assert "<ins>Ehename</ins>" in client.get(pages[1]).text

    privacy.erase(db, settings, leaving, actor=leaving)
    db.flush()
    for path in pages:
        text = client.get(path).text
        assert "Mädchenname" not in text and "Ehename" not in text, path
    stored = json.dumps(
        [row.snapshot for row in db.scalars(select(VorhabenVersion))], ensure_ascii=False
    )
    assert "Mädchenname" not in stored and "Ehename" not in stored
