"""Destinations: the owners choose who receives a publication (everyone by default). A
partner reading with its key never sees a project not released to it — not in the feed,
the Atom feed, the single-project endpoint, its webhooks or the image; "the public"
(readers without a key, the page /p/{id}) is a destination of its own. A destination taken
away reads a tombstone at once; withdrawal and erasure still reach everyone who ever had
the project."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.export import erasure, partners, review, service, withdrawal
from app.export.models import Partner
from app.outbox.models import Channel, OutboxMessage
from tests import factories
from tests.export.contract import atom_entries, check_entry
from tests.publishing import Scene, form_of


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"feed_rate_limit_per_address": 100_000, "webhooks_allow_private": True}


@dataclass
class Platform:
    partner: Partner
    key: str
    endpoint_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def _platform(db: Session, settings: Settings, name: str) -> Platform:
    partner, key = partners.create(db, name)
    endpoint, _secret = partners.add_webhook(db, settings, partner, f"http://127.0.0.1:9/{name}")
    return Platform(partner, key.key, endpoint.id)


def _release(
    db: Session,
    settings: Settings,
    scene: Scene,
    *,
    to: list[Platform] | None = None,
    public: bool = True,
    consent: bool = False,
    title: str = "Digitaler Bauantrag",
) -> str:
    form = form_of(db, scene)
    form.title, form.contact_consent = title, consent
    if to is None:
        form.destinations = "all"
    else:
        form.destinations, form.destination_public = "chosen", public
        form.destination_partners = [str(platform.partner.id) for platform in to]
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    return publication.id


def _choose(
    db: Session, settings: Settings, scene: Scene, to: list[Platform], *, public: bool
) -> None:
    """The owners save the draft with other destinations (no release)."""
    form = form_of(db, scene)
    form.destinations, form.destination_public = "chosen", public
    form.destination_partners = [str(platform.partner.id) for platform in to]
    service.save(db, settings, scene.owner, scene.vorhaben.id, form)


def _feed(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, Any]:
    items = client.get("/api/v1/projects", headers=headers or {}).json()["items"]
    for item in items:
        check_entry(item, "http://testserver")
    return {item["id"]: item for item in items}


def _hooks(db: Session, platform: Platform) -> list[dict[str, Any]]:
    rows = db.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == Channel.WEBHOOK,
            OutboxMessage.webhook_endpoint_id == platform.endpoint_id,
        )
        .order_by(OutboxMessage.id)
    )
    return [json.loads(row.payload["body"]) for row in rows]


def _atom_ids(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, str]:
    """Atom entries by project id: "entry" or "deleted"."""
    found = {}
    for entry in atom_entries(client.get("/feeds/projects.atom", headers=headers or {}).content):
        if "ref" in entry:
            found[entry["ref"].removeprefix("urn:uuid:")] = "deleted"
        else:
            found[entry["id"].removeprefix("urn:uuid:")] = "entry"
    return found


def test_a_partner_never_sees_a_project_not_released_to_it(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen, other = _platform(db, settings, "Chosen"), _platform(db, settings, "Other")
    project = _release(db, settings, scene, to=[chosen], public=False)

    assert _feed(client, chosen.headers)[project]["deleted"] is False
    single = client.get(f"/api/v1/projects/{project}", headers=chosen.headers)
    assert single.status_code == 200 and single.json()["title"] == "Digitaler Bauantrag"
    assert _atom_ids(client, chosen.headers) == {project: "entry"}
    assert [hook["type"] for hook in _hooks(db, chosen)] == ["project.published"]

    for reader in (other.headers, {}):  # another partner, and anyone without a key
        assert project not in _feed(client, reader)
        assert client.get(f"/api/v1/projects/{project}", headers=reader).status_code == 404
        assert project not in _atom_ids(client, reader)
    assert _hooks(db, other) == []
    assert client.get(f"/p/{project}").status_code == 404


def test_the_public_is_a_destination_of_its_own(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen, other = _platform(db, settings, "Chosen"), _platform(db, settings, "Other")
    project = _release(db, settings, scene, to=[chosen], public=True)
    assert _feed(client)[project]["deleted"] is False
    assert client.get(f"/p/{project}").status_code == 200
    assert _atom_ids(client) == {project: "entry"}
    # A partner with its key gets what was released to it, not what went to the public.
    assert project not in _feed(client, other.headers)
    assert client.get(f"/api/v1/projects/{project}", headers=other.headers).status_code == 404
    assert _hooks(db, other) == []


def test_a_destination_taken_away_reads_a_tombstone_at_once(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    kept, dropped = _platform(db, settings, "Kept"), _platform(db, settings, "Dropped")
    project = _release(db, settings, scene)  # everyone, the default
    cursors = {
        name: client.get("/api/v1/projects", headers=headers).json()["next_cursor"]
        for name, headers in (("kept", kept.headers), ("dropped", dropped.headers), ("public", {}))
    }
    version = _feed(client, kept.headers)[project]["version"]

    _choose(db, settings, scene, [kept], public=False)  # saved, not even submitted

    def since(name: str, headers: dict[str, str]) -> list[dict[str, Any]]:
        page = client.get("/api/v1/projects", params={"since": cursors[name]}, headers=headers)
        return list(page.json()["items"])

    [gone] = since("dropped", dropped.headers)
    assert gone["id"] == project and gone["deleted"] is True and set(gone) == {
        "id", "type", "created", "modified", "deleted",
    }  # fmt: skip
    [public_gone] = since("public", {})
    assert public_gone["deleted"] is True
    assert client.get(f"/p/{project}").status_code == 410
    assert client.get(f"/api/v1/projects/{project}").json()["deleted"] is True
    assert client.get(f"/api/v1/projects/{project}", headers=dropped.headers).json()["deleted"]
    assert _atom_ids(client, dropped.headers) == {project: "deleted"}
    assert [hook["type"] for hook in _hooks(db, dropped)] == [
        "project.published",
        "project.withdrawn",
    ]
    assert _hooks(db, dropped)[-1]["data"]["deleted"] is True

    # The partner kept reads the same version, and gets no webhook for nothing new.
    [same] = since("kept", kept.headers)
    assert same["deleted"] is False and same["version"] == version
    assert [hook["type"] for hook in _hooks(db, kept)] == ["project.published"]
    assert "publication_destinations_narrowed" in set(db.scalars(select(AuditEvent.action)))

    # A platform registered afterwards never had it: it does not see the project at all.
    late = _platform(db, settings, "Late")
    assert project not in _feed(client, late.headers)
    assert client.get(f"/api/v1/projects/{project}", headers=late.headers).status_code == 404

    # Widening waits for the next release; then the dropped platform gets it as published.
    form = form_of(db, scene)
    form.destinations = "all"
    service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    assert _feed(client, dropped.headers)[project]["deleted"] is True
    service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, project, "release", "")
    assert _feed(client, dropped.headers)[project]["deleted"] is False
    assert _hooks(db, dropped)[-1]["type"] == "project.published"
    assert _hooks(db, kept)[-1]["type"] == "project.updated"
    assert client.get(f"/p/{project}").status_code == 200


def test_withdrawal_reaches_every_destination_also_one_taken_away(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    kept, dropped = _platform(db, settings, "Kept"), _platform(db, settings, "Dropped")
    never = _platform(db, settings, "Never")
    project = _release(db, settings, scene, to=[kept, dropped], public=True)
    _choose(db, settings, scene, [kept], public=False)
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)

    for platform in (kept, dropped):
        assert _hooks(db, platform)[-1]["type"] == "project.withdrawn"
        assert _feed(client, platform.headers)[project]["deleted"] is True
        gone = client.get(f"/api/v1/projects/{project}", headers=platform.headers)
        assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert _hooks(db, never) == []
    assert project not in _feed(client, never.headers)
    assert _feed(client)[project]["deleted"] is True
    assert client.get(f"/p/{project}").status_code == 410


def test_erasure_reaches_a_destination_taken_away(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    """The contact's mail went to a platform that is no longer a destination: erasure
    takes it out of what was queued or sent to it, and the kept one gets a new version."""
    kept, dropped = _platform(db, settings, "Kept"), _platform(db, settings, "Dropped")
    project = _release(db, settings, scene, consent=True)
    assert any(hook["data"].get("contact") for hook in _hooks(db, dropped))
    _choose(db, settings, scene, [kept], public=True)

    erasure.republish_without(db, settings, scene.owner.id)
    email = scene.owner.email
    assert email
    for platform in (kept, dropped):
        assert email not in json.dumps(_hooks(db, platform))
    assert _hooks(db, kept)[-1]["type"] == "project.updated"
    assert _hooks(db, kept)[-1]["data"]["contact"] is None
    assert _hooks(db, dropped)[-1]["type"] == "project.withdrawn"
    assert _feed(client, dropped.headers)[project]["deleted"] is True


def test_the_owners_choose_destinations_on_the_form_and_the_review_shows_them(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen, _other = _platform(db, settings, "Chosen"), _platform(db, settings, "Other")
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    page = client.get(url).text
    assert 'name="destinations" value="all" checked' in page
    assert f'name="destination_partners" value="{chosen.partner.id}"' in page
    token = factories.csrf_token(client, url)
    base = {"csrf_token": token, "title": "Gezielt", "stage": "pilot", "action": "submit"}
    nobody = client.post(url, data={**base, "destinations": "chosen"})
    assert nobody.status_code == 422 and 'href="#field-destinations"' in nobody.text
    forged = client.post(
        url, data={**base, "destinations": "chosen", "destination_partners": "999"}
    )
    assert forged.status_code == 422
    sent = client.post(
        url,
        data={**base, "destinations": "chosen", "destination_partners": str(chosen.partner.id)},
    )
    assert sent.status_code == 303
    publication = service.of_vorhaben(db, scene.vorhaben.id)
    assert publication is not None
    factories.login(client, db, scene.moderator)
    review = client.get(f"/moderation/publications/{publication.id}").text
    assert "Empfänger: Chosen</p>" in review


def test_a_partner_filters_its_feed(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    platform = _platform(db, settings, "Filtering")
    bauantrag = _release(db, settings, scene)
    other = factories.vorhaben(db, scene.owner, "KI-Chatbot", fields=["bildung"])
    other_scene = Scene(scene.owner, scene.moderator, other)
    form = form_of(db, other_scene)
    form.uses_ai = "weak_ai"
    chatbot = service.submit(db, settings, scene.owner, other.id, form).id
    review.decide(db, settings, scene.moderator, chatbot, "release", "")

    def items(**params: Any) -> dict[str, dict[str, Any]]:
        response = client.get("/api/v1/projects", params=params, headers=platform.headers)
        assert response.status_code == 200, response.text
        return {item["id"]: item for item in response.json()["items"]}

    ai_only = items(uses_ai="ai")
    assert ai_only[chatbot]["deleted"] is False and ai_only[bauantrag]["deleted"] is True
    assert items(uses_ai="none")[chatbot]["deleted"] is True
    fields = items(field_of_action="verwaltung-ozg")
    assert fields[bauantrag]["deleted"] is False and fields[chatbot]["deleted"] is True
    owner_ags = client.get(f"/api/v1/projects/{bauantrag}").json()["municipality"]["ags"]
    assert items(land=owner_ags[:2])[bauantrag]["deleted"] is False
    assert items(land="01" if owner_ags[:2] != "01" else "02")[bauantrag]["deleted"] is True

    page = client.get("/api/v1/projects", params={"uses_ai": "ai"}, headers=platform.headers)
    body = page.json()
    following = client.get(
        body["links"]["next"].removeprefix("http://testserver"), headers=platform.headers
    )
    assert following.status_code == 200 and following.json()["items"] == []  # the same filter
    # A cursor belongs to its filter.
    mixed = client.get(
        "/api/v1/projects", params={"since": body["next_cursor"]}, headers=platform.headers
    )
    assert mixed.status_code == 400 and "filter" in mixed.json()["error"]["detail"]
    same = client.get(
        "/api/v1/projects",
        params={"since": body["next_cursor"], "uses_ai": "ai"},
        headers=platform.headers,
    )
    assert same.status_code == 200 and same.json()["items"] == []
    for wrong in ({"uses_ai": "deep"}, {"land": "Bayern"}, {"field_of_action": "Bildung!"}):
        refused = client.get("/api/v1/projects", params=wrong, headers=platform.headers)
        assert refused.status_code == 400, wrong


def test_the_image_of_a_partner_only_project_needs_the_partners_key(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen, other = _platform(db, settings, "Chosen"), _platform(db, settings, "Other")
    form = form_of(db, scene)
    form.destinations, form.destination_public = "chosen", False
    form.destination_partners = [str(chosen.partner.id)]
    service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    picture = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 20, 30)).save(picture, "PNG")
    service.change_image(db, scene.owner, scene.vorhaben.id, "upload", picture.getvalue(), "Plan")
    project = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene)).id
    review.decide(db, settings, scene.moderator, project, "release", "")
    item = client.get(f"/api/v1/projects/{project}", headers=chosen.headers).json()
    url = item["image"]["url"].removeprefix("http://testserver")
    served = client.get(url, headers=chosen.headers)
    assert served.status_code == 200 and served.headers["cache-control"].startswith("private")
    assert client.get(url).status_code == 404
    assert client.get(url, headers=other.headers).status_code == 404
