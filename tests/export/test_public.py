"""The Atom feed (parsed by feedparser), the public page with JSON-LD, and 410."""

from __future__ import annotations

import json
import re

import feedparser
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import service
from tests.publishing import Scene, publish


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
    service.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
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
    service.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    gone = client.get(f"/p/{publication.id}")
    assert gone.status_code == 410 and "zurückgezogen" in gone.text
    assert client.get("/p/unknown").status_code == 404
