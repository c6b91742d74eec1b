"""Erasing a member who was a public contact: the feed gets a new version without them,
and their name and mail are gone from every stored past version and webhook body."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.config import Settings
from app.export import feed, partners, review, service
from app.export.models import PublicationVersion
from app.outbox.models import Channel, OutboxMessage
from tests import factories
from tests.publishing import Scene, publish


def _stored_text(db: Session) -> str:
    """Everything the export layer keeps: versions, feed rows and webhook bodies."""
    versions = [row.item for row in db.scalars(select(PublicationVersion))]
    entries = [entry.item for entry in feed.after(db, 0, 500).entries]
    bodies = [
        row.payload["body"]
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK))
    ]
    return json.dumps([versions, entries, bodies], ensure_ascii=False)


def _register(db: Session, settings: Settings) -> None:
    partner, _key = partners.create(db, "Civic Platform")
    partners.add_webhook(
        db,
        settings.model_copy(update={"webhooks_allow_private": True}),
        partner,
        "http://127.0.0.1:9/hook",
    )


def test_erasing_the_current_contact_scrubs_every_version_and_webhook(
    db: Session, settings: Settings, scene: Scene
) -> None:
    _register(db, settings)
    publication = publish(db, settings, scene, consent=True)
    publish(db, settings, scene, title="Zweite Fassung", consent=True)
    # One version as released before versions recorded whose consent it was.
    legacy = db.scalars(select(PublicationVersion).where(PublicationVersion.version == 1)).one()
    legacy.contact_account_id = None
    db.flush()
    assert "olga@owner.example" in _stored_text(db) and "Olga Owner" in _stored_text(db)
    admin = factories.account(db, role=factories.Role.ADMIN)
    privacy.erase(db, settings, scene.owner, actor=admin)
    db.flush()
    stored = _stored_text(db)
    assert "olga@owner.example" not in stored and "Olga Owner" not in stored
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"] is None and entry.item["version"] == 3
    events = [
        json.loads(row.payload["body"])
        for row in db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.WEBHOOK)
            .order_by(OutboxMessage.id)
        )
    ]
    assert [event["type"] for event in events] == [
        "project.published",
        "project.updated",
        "project.updated",
    ]
    assert all(event["data"]["contact"] is None for event in events)


def test_erasing_a_contact_whose_profile_changed_since_the_release(
    db: Session, settings: Settings, scene: Scene
) -> None:
    """The live version names the person as they were when it was released: it is found by
    whose consent put them in, not by what the profile says today."""
    publication = publish(db, settings, scene, consent=True)
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"]["email"] == "olga@owner.example"
    scene.owner.position = "Neue Funktion"
    db.flush()
    admin = factories.account(db, role=factories.Role.ADMIN)
    privacy.erase(db, settings, scene.owner, actor=admin)
    db.flush()
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["contact"] is None and entry.item["version"] == 2
    stored = _stored_text(db)
    assert "olga@owner.example" not in stored and "Olga Owner" not in stored


def test_erasing_a_former_contact_leaves_the_colleague_and_scrubs_history(
    db: Session, settings: Settings, scene: Scene
) -> None:
    _register(db, settings)
    town = db.get(factories.Municipality, scene.owner.municipality_id)
    colleague = factories.account(
        db, "Carla Colleague", email="carla@owner.example", municipality=town
    )
    publication = publish(db, settings, scene, consent=True)
    form = service.form_for(db, scene.vorhaben, publication, colleague)
    form.contact_consent = True
    service.submit(db, settings, colleague, scene.vorhaben.id, form)
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    admin = factories.account(db, role=factories.Role.ADMIN)
    privacy.erase(db, settings, scene.owner, actor=admin)
    db.flush()
    stored = _stored_text(db)
    assert "olga@owner.example" not in stored and "Olga Owner" not in stored
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.item["version"] == 2  # nothing public named her
    assert entry.item["contact"]["email"] == "carla@owner.example"
    assert "carla@owner.example" in stored  # the colleague's own consent stands


def test_erasure_removes_every_name_the_contact_had_from_the_export(
    db: Session, settings: Settings, scene: Scene, client: TestClient
) -> None:
    """Released under one name and mail, released again after the provider changed both:
    erasure finds every version by whose consent it carried, and no version, feed item,
    webhook body, Atom entry or public page keeps either."""
    _register(db, settings)
    publication = publish(db, settings, scene, consent=True)
    scene.owner.display_name, scene.owner.email = "Olga Neuname", "olga@neu.example"
    publish(db, settings, scene, title="Zweite Fassung", consent=True)
    earlier = ("Olga Owner", "olga@owner.example", "Olga Neuname", "olga@neu.example")
    surfaces = [f"/p/{publication.id}", f"/api/v1/projects/{publication.id}"]
    assert "Olga Neuname" in client.get(surfaces[0]).text
    assert [found for found in earlier if found not in _stored_text(db)] == []

    privacy.erase(db, settings, scene.owner, actor=scene.owner)
    db.flush()
    shown = [client.get(path).text for path in [*surfaces, "/api/v1/projects"]]
    shown.append(client.get("/feeds/projects.atom").text)
    for text in [_stored_text(db), *shown]:
        assert not [found for found in earlier if found in text], text[:300]
