"""Hidden content leaves every surface at once: lists, search, similar-Vorhaben, the
dashboard, the municipality page, notifications, digests, new activity, and the export layer
(the publication is withdrawn). Each surface is first shown to carry the content, so a
"gone" can never pass because it was never there."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, MailMode
from app.config import Settings
from app.core import clock
from app.export import feed, partners
from app.moderation import reports as service
from app.municipalities.models import Municipality
from app.notifications import service as notifications
from app.outbox.models import OutboxMessage
from app.search import query
from app.search.similar import similar
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import VorhabenFilter, list_vorhaben
from tests import factories
from tests.publishing import Scene, publish

pytestmark = pytest.mark.commits

TITLE = "Digitaler Bauantrag"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"webhooks_allow_private": True}


def _last_outbox_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0


def _outbox_since(db: Session, last_id: int) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.id > last_id)))


def _mails_to(db: Session, last_id: int, address: str | None) -> list[str]:
    """Subject, text and HTML of each mail to the address queued after last_id."""
    return [
        f"{row.payload['subject']}\n{row.payload['text']}\n{row.payload['html']}"
        for row in _outbox_since(db, last_id)
        if row.channel.value == "mail" and row.payload.get("to") == address
    ]


@contextmanager
def _tomorrow_morning() -> Iterator[None]:
    """The clock at 9:00 Berlin time tomorrow, when the digest of today's news leaves."""
    now = clock.utcnow()
    tomorrow = now.astimezone(clock.BERLIN).date() + dt.timedelta(days=1)
    morning = dt.datetime.combine(tomorrow, dt.time(9), clock.BERLIN)
    clock.travel(morning - now)
    try:
        yield
    finally:
        clock.travel(now - morning)


def _digest(db: Session, settings: Settings, reader: Account, *, keep: bool = False) -> list[str]:
    """The digest mails the reader gets tomorrow morning (undone unless keep)."""
    last = _last_outbox_id(db)
    savepoint = db.begin_nested()
    with _tomorrow_morning():
        notifications.send_digests(db, settings)
        mails = _mails_to(db, last, reader.email)
    if keep:
        savepoint.commit()
    else:
        savepoint.rollback()
    return mails


def _move_on(
    db: Session, settings: Settings, author: Account, vorhaben: Vorhaben, stage: str
) -> None:
    form = vorhaben_service.form_from(vorhaben)
    form.stage = stage
    vorhaben_service.update(db, settings, author, vorhaben.id, form)


def _links_to(html: str, vorhaben: Vorhaben) -> bool:
    return re.search(rf'href="/vorhaben/{vorhaben.id}["#]', html) is not None


def _neighbour(db: Session, of: Account, name: str) -> Account:
    """A member in another municipality of the same Land (so the dashboard shows them it)."""
    home = db.get(Municipality, of.municipality_id)
    assert home is not None
    land = db.get(Municipality, home.land_id)
    kreis = db.get(Municipality, home.kreis_id)
    town = factories.municipality(db, f"Nachbarort {name}", land=land, kreis=kreis)
    return factories.account(db, name, municipality=town)


def _badge(html: str) -> int:
    """The unread count in the page header (0 without the badge)."""
    found = re.search(r'class="badge-count"><span class="visually-hidden">\(</span>(\d+)', html)
    return int(found.group(1)) if found else 0


def test_a_hidden_vorhaben_leaves_every_surface(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    vorhaben = scene.vorhaben
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    reader = _neighbour(db, scene.owner, "Rudi Reader")
    reader.mail_mode = MailMode.DIGEST
    follower = factories.account(db, "Fiona Follower", email="fiona@follow.example")
    cooperation.set_follow(db, follower, vorhaben.id, on=True)
    partner, _key = partners.create(db, "Civic Platform")
    partners.add_webhook(db, settings, partner, "http://127.0.0.1:9/hook")
    publication = publish(db, settings, scene)
    # The reader talks on the Vorhaben (and follows it so), and on another one that stays.
    comment = factories.comment(db, reader, vorhaben, "Wie läuft die Pilotphase?")
    factories.comment(db, scene.owner, vorhaben, "Gut, danke!", parent=comment)
    other_author = factories.account(db, "Bea Bibliothek")
    library = factories.vorhaben(db, other_author, "Stadtbibliothek ohne Ausweis")
    question = factories.comment(db, reader, library, "Welche Software?")
    factories.comment(db, other_author, library, "Eine freie.", parent=question)
    pages = (
        "/",
        "/vorhaben",
        "/suche?q=Bauantrag",
        "/benachrichtigungen",
        f"/kommunen/{db.get(Municipality, vorhaben.municipality_id).ags}",  # type: ignore[union-attr]
    )

    # Before: every surface carries it.
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 1
    assert vorhaben.id in [v.id for v in list_vorhaben(db, reader, VorhabenFilter()).items]
    assert vorhaben.id in [v.id for v in similar(db, reader, "Digitaler Bauantrag online")]
    assert vorhaben.id in [i.notification.vorhaben_id for i in notifications.page(db, reader).items]
    assert notifications.unread_count(db, reader) == 2
    digest = _digest(db, settings, reader)
    assert len(digest) == 1 and TITLE in digest[0] and "Stadtbibliothek" in digest[0]
    factories.login(client, db, reader)
    assert _badge(client.get("/vorhaben").text) == 2  # the header counts with the rule
    assert client.get(f"/vorhaben/{vorhaben.id}").status_code == 200
    for page in pages:
        assert _links_to(client.get(page).text, vorhaben), page
    entry = feed.get(db, publication.id)
    assert entry is not None and not entry.deleted and entry.item["title"] == TITLE
    assert client.get(f"/api/v1/projects/{publication.id}").json()["title"] == TITLE
    assert TITLE in client.get("/feeds/projects.atom").text
    assert client.get(f"/p/{publication.id}").status_code == 200
    last = _last_outbox_id(db)
    _move_on(db, settings, scene.owner, vorhaben, "umsetzung")
    assert any(TITLE in mail for mail in _mails_to(db, last, "fiona@follow.example"))
    assert notifications.unread_count(db, follower) == 3  # two comments and the stage

    last = _last_outbox_id(db)
    service.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Werbung")

    # After: gone from every one of them, at once.
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 0
    assert vorhaben.id not in [v.id for v in list_vorhaben(db, reader, VorhabenFilter()).items]
    assert vorhaben.id not in [v.id for v in similar(db, reader, "Digitaler Bauantrag online")]
    assert vorhaben.id not in [
        i.notification.vorhaben_id for i in notifications.page(db, reader).items
    ]
    assert notifications.unread_count(db, reader) == 1  # the library's reply remains
    digest = _digest(db, settings, reader, keep=True)
    assert len(digest) == 1 and TITLE not in digest[0] and "Stadtbibliothek" in digest[0]
    assert client.get(f"/vorhaben/{vorhaben.id}").status_code == 404
    assert _badge(client.get("/vorhaben").text) == 1
    for page in pages:
        html = client.get(page).text
        assert not _links_to(html, vorhaben) and TITLE not in html, page
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted and "title" not in entry.item
    tombstone = client.get(f"/api/v1/projects/{publication.id}").json()
    assert tombstone["deleted"] is True and "title" not in tombstone
    atom = client.get("/feeds/projects.atom").text
    assert TITLE not in atom and "deleted-entry" in atom
    assert client.get(f"/p/{publication.id}").status_code == 410
    pushes = [row.payload for row in _outbox_since(db, last) if row.channel.value == "webhook"]
    assert [push["event"] for push in pushes] == ["project.withdrawn"]
    # The author may go on working on it; the followers hear nothing of that.
    last = _last_outbox_id(db)
    _move_on(db, settings, scene.owner, vorhaben, "betrieb")
    assert _mails_to(db, last, "fiona@follow.example") == []
    assert notifications.unread_count(db, follower) == 0

    # The author still sees it, with the reason.
    assert query.search(db, scene.owner, "Bauantrag", VorhabenFilter()).total == 1
    factories.login(client, db, scene.owner)
    own = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Werbung" in own and "Überprüfung erbitten" in own


def test_a_hidden_comment_leaves_threads_search_notifications_and_digests(
    client: TestClient, db: Session, settings: Settings
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    owner = factories.account(db, "Otto Owner")
    owner.mail_mode = MailMode.DIGEST
    vorhaben = factories.vorhaben(db, owner, "Parkhaus")
    troll = factories.account(db, "Troll")
    comment = factories.comment(db, troll, vorhaben, "Beleidigung Quokka")
    reader = factories.account(db)

    assert query.search(db, reader, "Quokka", VorhabenFilter()).total == 1
    assert notifications.unread_count(db, owner) == 1
    assert [item.excerpt for item in notifications.page(db, owner).items] == ["Beleidigung Quokka"]
    digest = _digest(db, settings, owner)
    assert len(digest) == 1 and "Parkhaus" in digest[0]
    factories.login(client, db, owner)
    assert _badge(client.get("/vorhaben").text) == 1
    assert "Quokka" in client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Quokka" in client.get("/benachrichtigungen").text
    # (The search page repeats the query in its field: the hit is its link to the Vorhaben.)
    assert _links_to(client.get("/suche?q=Quokka").text, vorhaben)

    service.decide(db, settings, moderator, "comment", comment.id, "hide", "Beleidigend")

    assert query.search(db, reader, "Quokka", VorhabenFilter()).total == 0
    assert notifications.unread_count(db, owner) == 0
    assert notifications.page(db, owner).items == []
    assert _digest(db, settings, owner) == []
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Quokka" not in page and "von der Moderation ausgeblendet" in page
    assert _badge(page) == 0
    assert "Quokka" not in client.get("/benachrichtigungen").text
    assert not _links_to(client.get("/suche?q=Quokka").text, vorhaben)
    # Its author still sees it, with the reason.
    factories.login(client, db, troll)
    own = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Quokka" in own and "Beleidigend" in own


def test_restoring_brings_it_back_everywhere(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    reader = factories.account(db)
    service.decide(db, settings, moderator, "vorhaben", scene.vorhaben.id, "hide", "Prüfung")
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 0
    # Hidden, it is the moderators' to read (and restore) again once its author asks.
    service.request_review(db, settings, scene.owner, "vorhaben", scene.vorhaben.id, "Bitte")
    service.decide(db, settings, moderator, "vorhaben", scene.vorhaben.id, "restore", "Ok")
    assert query.search(db, reader, "Bauantrag", VorhabenFilter()).total == 1
    assert scene.vorhaben.id in [v.id for v in similar(db, reader, "Digitaler Bauantrag online")]
    factories.login(client, db, reader)
    assert client.get(f"/vorhaben/{scene.vorhaben.id}").status_code == 200
    assert db.get(Vorhaben, scene.vorhaben.id) is not None
