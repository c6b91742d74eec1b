"""The member's own data (GET /konto/daten/export.json) names their circles: member,
invited or asking, with role and state; erasing the account removes the memberships."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.circles import service as circles
from app.circles.models import CircleMembership
from app.comments import topic_comments
from app.config import Settings
from app.topics import service as topics
from tests import factories


def test_the_export_names_the_circles_and_erasure_ends_the_memberships(
    db: Session, settings: Settings
) -> None:
    person = factories.account(db, "Petra Person")
    lead = factories.account(db)
    network = factories.circle(db, "CDO-Netzwerk", moderators=[lead], members=[person])
    group = factories.circle(db, "AG Open Data", moderators=[lead], listed=False)
    circles.invite(db, lead, group, person.id)
    exported = {entry["name"]: entry for entry in privacy.export(db, person)["circles"]}
    assert exported["CDO-Netzwerk"]["state"] == "active"
    assert exported["CDO-Netzwerk"]["circle_id"] == network.id
    assert exported["AG Open Data"]["state"] == "invited"
    assert ("Ihre Kreise (auch Einladungen und Anfragen)", 2) in privacy.summary(db, person)
    privacy.erase(db, settings, person, actor=person)
    db.flush()
    rows = db.scalars(select(CircleMembership).where(CircleMembership.account_id == person.id))
    assert list(rows) == []


def test_the_export_lists_topic_comments_with_their_topic_and_circle(db: Session) -> None:
    person = factories.account(db, "Petra Person")
    lead = factories.account(db)
    network = factories.circle(db, "CDO-Netzwerk", moderators=[lead], members=[person])
    topic = topics.create(db, lead, network.id, "Offene Daten", "Wer macht mit?")
    said = topic_comments.post(db, person, topic.id, network.id, "Ich mache mit")
    vorhaben = factories.vorhaben(db, lead, "Ein Vorhaben")
    factories.comment(db, person, vorhaben, "Beim Vorhaben")
    exported = {entry["body"]: entry for entry in privacy.export(db, person)["comments"]}
    on_topic = exported["Ich mache mit"]
    assert on_topic["id"] == said.id and on_topic["vorhaben_id"] is None
    assert on_topic["topic_id"] == topic.id and on_topic["topic"] == "Offene Daten"
    assert on_topic["circle_id"] == network.id and on_topic["circle"] == "CDO-Netzwerk"
    on_vorhaben = exported["Beim Vorhaben"]
    assert on_vorhaben["vorhaben_id"] == vorhaben.id and on_vorhaben["topic_id"] is None
