"""What else the owners choose to publish (issue 21): a licence, seeking partners, lessons
learned, funding and dates, an English title and summary, a functional mailbox, the AI
record, and the level and ARS of their municipality. Filled from the Vorhaben, checked,
shown to the moderators, and delivered in the item, the public page, JSON-LD and Atom."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import review, service
from app.export.models import Publication
from app.vorhaben.models import AIRecord, AIRiskClass, AIUse
from tests import factories
from tests.export.contract import atom_entries, check_item
from tests.export.forms import form_fields
from tests.publishing import Scene, form_of, publish


def _browser_form(client: TestClient, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in form_fields(page.text, url):
        data[name].append(value)
    return data


def _with_inside_details(db: Session, scene: Scene) -> None:
    vorhaben = scene.vorhaben
    vorhaben.looking_for_partners = True
    vorhaben.lessons_learned = "Früh mit dem **Bauamt** reden."
    vorhaben.funding_programme = "Modellprojekte Smart Cities"
    vorhaben.start_date, vorhaben.end_date = dt.date(2025, 3, 1), dt.date(2026, 2, 28)
    vorhaben.uses_ai = AIUse.WEAK_AI
    vorhaben.ai_record = AIRecord(
        purpose="Pläne vorprüfen",
        responsible_body="Stadt Musterstadt, Bauamt",
        risk_class=AIRiskClass.HIGH,
        risk_explanation="Anhang III",
    )
    db.flush()


def test_the_form_starts_from_the_vorhaben_and_the_owner_publishes_it_all(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    _with_inside_details(db, scene)
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    data = _browser_form(client, url)
    assert data["content_license"] == ["CC-BY-4.0"]
    assert data["seeks_partners"] == ["1"] and data["ai_record"] == ["1"]
    assert data["lessons_learned"] == ["Früh mit dem **Bauamt** reden."]
    assert data["funding_programme"] == ["Modellprojekte Smart Cities"]
    assert (data["start_date"], data["end_date"]) == (["2025-03-01"], ["2026-02-28"])
    data |= {
        "title_en": ["Digital building permit"],
        "summary_en": ["Apply online"],
        "mailbox_name": ["Team Digitalisierung"],
        "mailbox_email": ["digital@musterstadt.example"],
        "content_license": ["CC0-1.0"],
        "action": ["submit"],
    }
    assert client.post(url, data=data).status_code == 303

    publication = service.of_vorhaben(db, scene.vorhaben.id)
    assert publication is not None
    factories.login(client, db, scene.moderator)
    review_page = client.get(f"/moderation/publications/{publication.id}").text
    for shown in (
        "Früh mit dem <strong>Bauamt</strong> reden.",
        "Modellprojekte Smart Cities",
        "digital@musterstadt.example",
        "Digital building permit",
        "CC0 1.0 Universell",
        "Pläne vorprüfen",
        "Hohes Risiko – Anhang III",
        "Sucht Partnerkommunen",
    ):
        assert shown in review_page, shown
    review.decide(db, settings, scene.moderator, publication.id, "release", "")

    item = client.get(f"/api/v1/projects/{publication.id}").json()
    check_item(item, "http://testserver")
    assert item["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert item["license_id"] == "CC0-1.0" and item["language"] == "de"
    assert item["translations"] == {
        "en": {"title": "Digital building permit", "summary": "Apply online"}
    }
    assert item["seeks_partners"] is True
    assert item["lessons_learned_html"] == "<p>Früh mit dem <strong>Bauamt</strong> reden.</p>\n"
    assert item["funding_programme"] == "Modellprojekte Smart Cities"
    assert (item["start_date"], item["end_date"]) == ("2025-03-01", "2026-02-28")
    assert item["mailbox"] == {
        "name": "Team Digitalisierung",
        "email": "digital@musterstadt.example",
    }
    assert item["ai_record"]["purpose"] == "Pläne vorprüfen"
    assert item["ai_record"]["risk_class"] == "high"
    assert item["municipality"]["level"] == "gemeinde"
    assert re.fullmatch(r"\d{8}|\d{12}", item["municipality"]["ars"])

    page = client.get(f"/p/{publication.id}").text
    assert 'rel="license noopener"' in page and "publicdomain/zero/1.0" in page
    assert '<div lang="en" class="translation">' in page
    assert "Pläne vorprüfen" in page and "Team Digitalisierung" in page
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert script is not None
    ld = json.loads(script.group(1))
    assert ld["license"] == item["license"] and ld["inLanguage"] == "de"
    assert ld["alternateName"] == {"@language": "en", "@value": "Digital building permit"}
    [entry] = atom_entries(client.get("/feeds/projects.atom").content)
    assert entry["rights"] == (
        f"CC0 1.0 – {item['municipality']['name']} (https://creativecommons.org/publicdomain/zero/1.0/)"
    )


def test_the_ai_record_leaves_only_for_a_publication_that_uses_ai(
    db: Session, settings: Settings, scene: Scene
) -> None:
    _with_inside_details(db, scene)
    form = form_of(db, scene)
    form.uses_ai = "none"
    assert form.ai_record
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    preview = service.preview(db, settings, publication)
    assert preview["uses_ai"] == "none" and preview["ai_record"] is None
    # Unticked, it is not kept either: a later switch to AI does not bring it back.
    form.uses_ai, form.ai_record = "weak_ai", False
    service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    assert service.preview(db, settings, publication)["ai_record"] is None


def test_a_mailbox_must_not_be_a_persons_address(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    data = _browser_form(client, url)
    data |= {"mailbox_name": ["Olga <Team>"], "mailbox_email": ["OLGA@owner.example"]}
    data["action"] = ["save"]
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert 'href="#field-mailbox_email"' in refused.text
    assert "Das ist die Adresse einer Person." in refused.text
    assert 'value="Olga &lt;Team&gt;"' in refused.text
    data |= {
        "mailbox_email": ["kein mail"],
        "summary_en": ["only a summary"],
        "end_date": ["2020-01-01"],
        "start_date": ["2021-01-01"],
        "content_license": ["GPL"],
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    for field in ("mailbox_email", "title_en", "end_date", "content_license"):
        assert f'href="#field-{field}"' in refused.text, field
    assert service.of_vorhaben(db, scene.vorhaben.id) is None  # nothing saved


def test_publications_from_before_the_licence_choice_keep_their_rights(
    db: Session, settings: Settings, scene: Scene
) -> None:
    """A new draft starts at CC BY 4.0; saving a form without the field keeps the choice."""
    publication = publish(db, settings, scene)
    assert publication.content_license == "CC-BY-4.0"
    publication.content_license = "all-rights-reserved"
    db.flush()
    form = form_of(db, scene)
    form.content_license = ""
    saved = service.save(db, settings, scene.owner, scene.vorhaben.id, form)
    assert db.get(Publication, saved.id) is saved
    assert saved.content_license == "all-rights-reserved"
    assert service.preview(db, settings, saved)["license"] is None
