"""The Atom feed (parsed by feedparser), the public page with JSON-LD, and 410."""

from __future__ import annotations

import datetime as dt
import json
import re

import feedparser
import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core import clock
from app.export import atom, feed, partners, withdrawal
from app.export.models import PublicationVersion
from app.export.serializer import rfc3339
from app.outbox.models import Channel, OutboxMessage
from tests import factories
from tests.publishing import Scene, publish

pytestmark = pytest.mark.commits


def test_atom_feed_is_well_formed_and_lists_deletions(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, title="Bauantrag <digital>")
    empty = client.get("/feeds/projects.atom")
    parsed = feedparser.parse(empty.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert empty.headers["content-type"].startswith("application/atom+xml")
    [entry] = parsed.entries
    assert entry.id == f"urn:uuid:{publication.id}" and entry.title == "Bauantrag <digital>"
    assert entry.link == f"http://testserver/p/{publication.id}"
    assert any(link.rel == "first" for link in parsed.feed.links)
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    body = client.get("/feeds/projects.atom").text
    assert f'<at:deleted-entry ref="urn:uuid:{publication.id}"' in body
    assert not feedparser.parse(body).bozo
    assert client.get("/feeds/projects.atom?page=99").status_code == 404
    assert client.get("/feeds/projects.atom?page=abc").status_code in {400, 422}


def test_public_page_with_json_ld_then_410(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene, description="## Ziel\n</script><b>x</b>")
    page = client.get(f"/p/{publication.id}")
    assert page.status_code == 200
    assert "Digitaler Bauantrag" in page.text and "<h2>Ziel</h2>" in page.text
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    assert match
    data = json.loads(match.group(1))
    assert data["@type"] == "Project" and data["name"] == "Digitaler Bauantrag"
    assert "Interne Notizen" not in page.text
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    gone = client.get(f"/p/{publication.id}")
    assert gone.status_code == 410 and "zurückgezogen" in gone.text
    assert client.get("/p/unknown").status_code == 404


def test_the_atom_feed_needs_a_key_when_the_operator_says_so(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    publish(db, settings, scene)
    _partner, key = partners.create(db, "Civic Reader")
    app.state.settings = settings.model_copy(update={"feed_require_key": True})
    with TestClient(app) as client:
        refused = client.get("/feeds/projects.atom")
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = client.get("/feeds/projects.atom", headers={"Authorization": "Bearer alm_nope"})
        assert wrong.status_code == 401
        assert client.get(f"/feeds/projects.atom?api_key={key.key}").status_code == 400
        good = client.get("/feeds/projects.atom", headers={"Authorization": f"Bearer {key.key}"})
        assert good.status_code == 200 and not feedparser.parse(good.content).bozo


@pytest.mark.usefixtures("start_of_a_minute")
def test_the_atom_feed_is_rate_limited_per_address_and_per_key(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    publish(db, settings, scene)
    _partner, key = partners.create(db, "Civic Reader")
    app.state.settings = settings.model_copy(
        update={"feed_rate_limit_per_address": 2, "feed_rate_limit_per_key": 3}
    )
    with TestClient(app) as client:
        assert [client.get("/feeds/projects.atom").status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        limited = client.get("/feeds/projects.atom")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        bearer = {"Authorization": f"Bearer {key.key}"}
        statuses = [
            client.get("/feeds/projects.atom", headers=bearer).status_code for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        # The JSON feed shares the same budgets.
        assert client.get("/api/v1/projects", headers=bearer).status_code == 429


def test_deep_atom_pages_are_bounded(
    client: TestClient,
    db: Session,
    settings: Settings,
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(atom, "PAGE_SIZE", 1)
    monkeypatch.setattr(atom, "MAX_PAGES", 2)
    publish(db, settings, scene)
    for number in range(3):
        vorhaben = factories.vorhaben(db, scene.owner, f"Weiteres Vorhaben {number}")
        publish(db, settings, Scene(scene.owner, scene.moderator, vorhaben), title=f"V{number}")
    first = feedparser.parse(client.get("/feeds/projects.atom").content)
    last = next(link.href for link in first.feed.links if link.rel == "last")
    assert last.endswith("?page=2")  # four projects, but only the latest two pages
    assert client.get("/feeds/projects.atom?page=2").status_code == 200
    assert client.get("/feeds/projects.atom?page=3").status_code == 404
    assert client.get("/feeds/projects.atom?page=100000").status_code == 404


def _no_browser_state(response: httpx2.Response) -> None:
    assert "set-cookie" not in response.headers, response.headers.get("set-cookie")
    assert "csrf" not in response.text.lower()


def test_the_public_page_carries_no_per_browser_state(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    """Public pages may be cached by anyone in between, so they hold nothing of one
    browser: no cookie, no CSRF token, nothing of a signed-in viewer; the 410 page too."""
    publication = publish(db, settings, scene)
    path = f"/p/{publication.id}"
    with TestClient(app) as anonymous:
        page = anonymous.get(path)
        assert page.status_code == 200 and "Digitaler Bauantrag" in page.text
        _no_browser_state(page)
        assert page.headers["cache-control"].startswith("public")
        assert "accept-language" in page.headers["vary"].lower()
    with TestClient(app) as member:
        factories.login(member, db, scene.owner)
        assert "Olga Owner" in member.get("/").text  # signed in
        signed_in = member.get(path)
        _no_browser_state(signed_in)
        assert signed_in.text == page.text  # the same bytes for everyone
        withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
        gone = member.get(path)
        assert gone.status_code == 410 and "zurückgezogen" in gone.text
        _no_browser_state(gone)
        assert "Olga Owner" not in gone.text
    with TestClient(app) as anonymous:
        gone = anonymous.get(path)
        assert gone.status_code == 410
        _no_browser_state(gone)
        for feed_path in ("/api/v1/projects", f"/api/v1/projects/{publication.id}"):
            assert "set-cookie" not in anonymous.get(feed_path).headers, feed_path
        assert "set-cookie" not in anonymous.get("/feeds/projects.atom").headers


def test_a_project_keeps_one_created_everywhere(
    app: FastAPI, db: Session, settings: Settings, scene: Scene
) -> None:
    """First release, later versions, the tombstone, publishing again: every version,
    feed item, webhook body, Atom entry and JSON-LD block carries the same `created`."""
    partner, _key = partners.create(db, "Civic Platform")
    private = settings.model_copy(update={"webhooks_allow_private": True})
    partners.add_webhook(db, private, partner, "http://127.0.0.1:9/hook")
    seen: list[tuple[str, str]] = []

    def look(client: TestClient, publication_id: str) -> None:
        entry = feed.get(db, publication_id)
        assert entry is not None
        seen.append(("feed entry", rfc3339(entry.created_at)))
        seen.append(("feed item", entry.item["created"]))
        atom_entries = feedparser.parse(client.get("/feeds/projects.atom").content).entries
        if not entry.deleted:
            seen.append(("atom", atom_entries[0].published))
            page = client.get(f"/p/{publication_id}").text
            match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
            assert match
            seen.append(("json-ld", json.loads(match.group(1))["dateCreated"]))

    with TestClient(app) as client:
        publication = publish(db, settings, scene)
        look(client, publication.id)
        clock.travel(dt.timedelta(minutes=5))
        publish(db, settings, scene, title="Zweite Fassung")
        look(client, publication.id)
        clock.travel(dt.timedelta(minutes=5))
        withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
        look(client, publication.id)
        clock.travel(dt.timedelta(minutes=5))
        publish(db, settings, scene, title="Wieder da")
        look(client, publication.id)
    for row in db.scalars(select(PublicationVersion)):
        seen.append((f"version {row.version}", row.item["created"]))
    for message in db.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)
    ):
        body = json.loads(message.payload["body"])
        seen.append((body["type"], body["data"]["created"]))
    assert len({created for _where, created in seen}) == 1, seen


def test_the_public_page_dates_the_project_in_german_time(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    """Released at 23:30 UTC on 1 March is 2 March in Germany: the page said 2026-03-01."""
    now = clock.utcnow()
    target = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    clock.travel(target - now)
    publication = publish(db, settings, scene)
    page = client.get(f"/p/{publication.id}").text
    assert "Stand: 02.03.2026" in page
    assert "2026-03-01" not in page.split("</script>", 1)[1]  # the JSON-LD keeps RFC 3339
