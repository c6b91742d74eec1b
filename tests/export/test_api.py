"""GET /api/v1/projects exactly as in the contract: cursors, limits, ETags, keys, limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings, load_settings
from app.core import clock
from app.export import feed, partners, review, service, withdrawal
from app.export.models import PartnerKey
from tests import factories
from tests.export.contract import check_item, check_tombstone
from tests.publishing import Scene, form_of, publish

pytestmark = pytest.mark.commits


def _many(db: Session, settings: Settings, count: int) -> list[str]:
    """`count` published projects of different Vorhaben; returns their ids in order."""
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    owner = factories.account(db)
    ids = []
    for number in range(count):
        vorhaben = factories.vorhaben(db, owner, f"Projekt {number}")
        scene = Scene(owner, moderator, vorhaben)
        ids.append(publish(db, settings, scene, title=f"Projekt {number}").id)
    return ids


def test_empty_feed_still_has_a_cursor(client: TestClient) -> None:
    body = client.get("/api/v1/projects").json()
    assert body["items"] == [] and body["has_more"] is False
    assert body["next_cursor"] and body["links"]["next"].startswith(
        "http://testserver/api/v1/projects?since="
    )


def test_paging_follows_cursors_without_gaps(
    client: TestClient, db: Session, settings: Settings
) -> None:
    ids = _many(db, settings, 5)
    seen: list[str] = []
    response = client.get("/api/v1/projects", params={"limit": 2})
    while True:
        body = response.json()
        seen.extend(item["id"] for item in body["items"])
        if not body["has_more"]:
            break
        response = client.get("/api/v1/projects", params={"since": body["next_cursor"], "limit": 2})
    assert seen == ids
    # Nothing new: the same cursor comes back, empty.
    last = client.get("/api/v1/projects", params={"since": body["next_cursor"]}).json()
    assert last["items"] == [] and last["next_cursor"] == body["next_cursor"]


def test_a_project_appears_once_at_its_latest_change(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    first = publish(db, settings, scene)
    others = _many(db, settings, 2)
    cursor = client.get("/api/v1/projects").json()["next_cursor"]
    form = form_of(db, scene)
    form.title = "Neuer Titel"
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, first.id, "release", "")
    everything = client.get("/api/v1/projects").json()["items"]
    assert [item["id"] for item in everything] == [*others, first.id]
    changed = client.get("/api/v1/projects", params={"since": cursor}).json()["items"]
    assert [(item["id"], item["title"], item["version"]) for item in changed] == [
        (first.id, "Neuer Titel", 2)
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "abc"},
        {"since": "garbage"},
        {"since": "eyJ2IjoxLCJzIjo1fQ.AAAAAAAAAAAAAAAAAAAAAA"},
        {"since": "a.b.c"},
        {"since": ".\u0080"},  # found by schemathesis' negative mode: was a 500
        {"since": "eyJ2IjoxLCJzIjo1fQ.ÄÄÄ"},
        {"modified_since": "yesterday"},
        {"modified_since": "2026-01-01T00:00:00"},
        {"since": "x", "modified_since": "2026-01-01T00:00:00Z"},
        {"api_key": "alm_x"},
    ],
)
def test_bad_parameters_are_400_json(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/v1/projects", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["status"] == 400


def test_an_altered_or_foreign_cursor_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _many(db, settings, 1)
    cursor = client.get("/api/v1/projects").json()["next_cursor"]
    payload, signature = cursor.split(".")
    tampered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature
    assert client.get("/api/v1/projects", params={"since": tampered}).status_code == 400
    other = load_settings(env="test", secret_key="another-installation-secret-key-0123456789")
    foreign = feed.encode_cursor(other, 0)
    assert client.get("/api/v1/projects", params={"since": foreign}).status_code == 400


def test_modified_since_returns_later_changes(
    client: TestClient, db: Session, settings: Settings
) -> None:
    ids = _many(db, settings, 3)
    body = client.get("/api/v1/projects", params={"modified_since": "2000-01-01T00:00:00Z"}).json()
    assert [item["id"] for item in body["items"]] == ids
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    body = client.get("/api/v1/projects", params={"modified_since": future}).json()
    assert body["items"] == [] and body["next_cursor"]


def test_etag_and_304(client: TestClient, db: Session, settings: Settings) -> None:
    _many(db, settings, 1)
    first = client.get("/api/v1/projects")
    etag = first.headers["etag"]
    again = client.get("/api/v1/projects", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    assert client.get("/api/v1/projects", headers={"If-None-Match": '"other"'}).status_code == 200


def test_single_project_and_tombstone(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    assert item["id"] == publication.id and item["deleted"] is False
    check_item(item, "http://testserver")
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    tombstone = client.get(f"/api/v1/projects/{publication.id}")
    assert tombstone.status_code == 200
    check_tombstone(tombstone.json())
    missing = client.get("/api/v1/projects/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404


@pytest.mark.parametrize("settings_overrides", [{"feed_require_key": True}])
def test_keys_in_the_authorization_header_only(client: TestClient, db: Session) -> None:
    assert client.get("/api/v1/projects").status_code == 401
    assert "Bearer" in client.get("/api/v1/projects").headers["www-authenticate"]
    partner, key = partners.create(db, "Civic Platform")
    ok = client.get("/api/v1/projects", headers={"Authorization": f"Bearer {key.key}"})
    assert ok.status_code == 200
    row = db.get(PartnerKey, key.row.id)
    db.refresh(row)
    assert row is not None and row.last_used_at is not None
    assert client.get("/api/v1/projects", params={"api_key": key.key}).status_code == 400
    assert (
        client.get("/api/v1/projects", headers={"Authorization": "Bearer alm_wrong"}).status_code
        == 401
    )
    assert (
        client.get("/api/v1/projects", headers={"Authorization": f"Basic {key.key}"}).status_code
        == 401
    )
    partners.revoke(db, partner)
    assert (
        client.get("/api/v1/projects", headers={"Authorization": f"Bearer {key.key}"}).status_code
        == 401
    )


@pytest.mark.parametrize(
    "settings_overrides", [{"feed_rate_limit_per_address": 3, "feed_rate_limit_per_key": 5}]
)
@pytest.mark.usefixtures("start_of_a_minute")
def test_rate_limits_answer_429_with_retry_after(client: TestClient, db: Session) -> None:
    statuses = [client.get("/api/v1/projects").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/projects")
    assert 1 <= int(limited.headers["retry-after"]) <= 61
    _partner, key = partners.create(db, "Keyed")
    keyed = [
        client.get("/api/v1/projects", headers={"Authorization": f"Bearer {key.key}"}).status_code
        for _ in range(6)
    ]
    assert keyed == [200] * 5 + [429]


def test_openapi_describes_only_the_public_api(client: TestClient) -> None:
    document: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/vocabularies",
        "/api/v1/vocabularies/{name}",
    }
    schemas = document["components"]["schemas"]
    assert "ProjectItem" in schemas and "Tombstone" in schemas
    assert set(schemas["ProjectItem"]["properties"]) >= {"id", "contact", "version"}


@pytest.mark.parametrize("settings_overrides", [{"feed_rate_limit_per_address": 3}])
@pytest.mark.usefixtures("start_of_a_minute")
def test_guessing_keys_spends_the_address_budget(client: TestClient) -> None:
    wrong = {"Authorization": "Bearer alm_guess"}
    statuses = [client.get("/api/v1/projects", headers=wrong).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert client.get("/api/v1/projects").status_code == 429


def test_a_key_records_its_last_use_at_most_once_a_minute(client: TestClient, db: Session) -> None:
    _partner, key = partners.create(db, "Civic Platform")
    auth = {"Authorization": f"Bearer {key.key}"}
    assert client.get("/api/v1/projects", headers=auth).status_code == 200
    row = db.get(PartnerKey, key.row.id)
    assert row is not None
    db.refresh(row)
    first = row.last_used_at
    assert first is not None
    clock.travel(dt.timedelta(seconds=30))
    client.get("/api/v1/projects", headers=auth)
    db.refresh(row)
    assert row.last_used_at == first
    clock.travel(dt.timedelta(seconds=31))
    client.get("/api/v1/projects", headers=auth)
    db.refresh(row)
    assert row.last_used_at is not None and row.last_used_at > first
