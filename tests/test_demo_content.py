"""The demo `make run` shows: every area of the product has something in it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import demo_content, demo_scenes
from app.config import Settings
from app.demo import DEMO_REGISTRY
from app.membership import personas
from app.membership.personas import account_for
from app.municipalities import gv100ad
from app.municipalities import service as municipalities
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from tests import factories


@pytest.fixture
def demo_db(db: Session, settings: Settings) -> Session:
    municipalities.import_registry(db, gv100ad.read_file(DEMO_REGISTRY), deactivate_missing=False)
    personas.seed_personas(db)
    assert demo_content.load(db, settings) > 0
    assert demo_scenes.load(db, settings, demo_content.content())
    db.flush()
    return db


def _as(client: TestClient, db: Session, persona: str) -> None:
    account = account_for(db, persona)
    assert account is not None, persona
    client.cookies.clear()
    factories.login(client, db, account)


def test_every_area_of_the_product_has_demo_content(client: TestClient, demo_db: Session) -> None:
    """The export layer, the moderators' queues, the admin's partners, a member's
    dashboard and an applicant's question: nothing a newcomer opens is empty."""
    feed = client.get("/api/v1/projects").json()
    live = [item for item in feed["items"] if not item["deleted"]]
    gone = [item for item in feed["items"] if item["deleted"]]
    assert len(live) >= 3 and len(gone) >= 1
    assert any(item["contact"] for item in live)  # one contact consented
    assert client.get(f"/p/{live[0]['id']}").status_code == 200
    assert client.get(f"/p/{gone[0]['id']}").status_code == 410
    assert "<entry>" in client.get("/feeds/projects.atom").text

    _as(client, demo_db, "moderatorin")
    applications = client.get("/moderation/applications").text
    for name in ("Paula Peters", "Jan Hoffmann", "Eva Winter"):
        assert name in applications
    assert "Straßenschäden" in client.get("/moderation/publications").text
    assert "Gemeinsamer KI-Chatbot" in client.get("/moderation/reports").text
    assert "leipzig.de" in client.get("/moderation/domains").text

    _as(client, demo_db, "admin")
    assert "Civic Innovation Platform (Demo)" in client.get("/admin/partners").text

    _as(client, demo_db, "muenchen")
    dashboard = client.get("/").text
    fields_section = dashboard.split('id="fields-title"')[1].split("</section>")[0]
    assert 'class="cards"' in fields_section

    # The CDO network: its confidential Vorhaben for its members, nothing of it for others.
    _as(client, demo_db, "leipzig")
    dashboard = client.get("/").text
    assert "CDO-Netzwerk" in dashboard and "Verhandlungen mit großen Cloud-Anbietern" in dashboard
    _as(client, demo_db, "muenchen")  # invited, not yet in
    dashboard = client.get("/").text
    assert "CDO-Netzwerk" in dashboard and "Cloud-Anbietern" not in dashboard
    _as(client, demo_db, "jena")
    assert "AG Open Data" in client.get("/kreise").text
    assert ">CDO-Netzwerk</a>" not in client.get("/kreise").text
    assert "Cloud-Anbietern" not in client.get("/suche?q=cloud").text

    _as(client, demo_db, "rueckfrage")
    status = client.get("/membership/status").text
    assert "privaten Mail-Adresse" in status and "Antwort senden" in status

    for entry in personas.listing(demo_db):
        assert entry.description, entry.key


def test_the_demo_history_does_not_flood_the_console_and_loads_once(
    demo_db: Session, settings: Settings
) -> None:
    """Mails the seeded history caused count as sent (readable at /dev/mails); a second
    start adds nothing."""
    states = set(
        demo_db.scalars(select(OutboxMessage.state).where(OutboxMessage.channel == Channel.MAIL))
    )
    assert states == {DeliveryState.DELIVERED}
    assert demo_scenes.load(demo_db, settings, demo_content.content()) == []
