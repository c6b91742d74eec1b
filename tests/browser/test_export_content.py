"""In Chromium with axe: the pages issue 21 added or extended have no WCAG 2.1 A/AA
violation — the Vorhaben form with its AI record (also with an error), the Vorhaben page
showing it, the publication form with destinations and image, the public page with licence,
English title, image and AI record, the partner municipality's consent page, and the
admins' vocabulary pages."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.export import partners, review, service
from app.vorhaben.models import AIRecord, AIRiskClass, AIUse, FieldOfAction, VorhabenPartner
from tests import factories
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context
from tests.publishing import form_of, make_scene


@dataclass
class Scene:
    publication_id: str
    vorhaben_id: int
    owner_id: int
    partner_member_id: int
    admin_id: int
    field_id: int


@pytest.fixture(scope="module")
def scene(live_server: LiveServer) -> Scene:
    settings = live_server.settings
    with live_server.session() as db:
        made = make_scene(db)
        vorhaben = made.vorhaben
        vorhaben.uses_ai = AIUse.WEAK_AI
        db.add(
            AIRecord(
                vorhaben_id=vorhaben.id,
                purpose="Bauvorlagen vorprüfen",
                responsible_body="Stadt Musterstadt, Bauamt",
                risk_class=AIRiskClass.LIMITED,
                risk_explanation="Transparenzpflicht",
            )
        )
        town = factories.municipality(db, "Nachbarhausen")
        neighbour = factories.account(db, "Nina Nachbar", municipality=town)
        db.add(VorhabenPartner(vorhaben_id=vorhaben.id, municipality_id=town.id))
        partners.create(db, "Civic Platform")
        db.flush()
        form = form_of(db, made)
        form.partner_municipalities = [town.ags]
        form.title_en, form.summary_en = "Digital building permit", "Apply online"
        form.mailbox_email = "digital@musterstadt.example"
        form.lessons_learned = "Früh mit dem Bauamt reden."
        form.ai_record = True
        service.save(db, settings, made.owner, vorhaben.id, form)
        picture = io.BytesIO()
        Image.new("RGB", (60, 40), (20, 90, 160)).save(picture, "PNG")
        service.change_image(
            db, made.owner, vorhaben.id, "upload", picture.getvalue(), "Das Rathaus"
        )
        publication = service.submit(db, settings, made.owner, vorhaben.id, form_of(db, made))
        review.decide(db, settings, made.moderator, publication.id, "release", "")
        admin = factories.account(db, "Ada Admin", role=factories.Role.ADMIN)
        field_id = db.scalars(select(FieldOfAction.id).limit(1)).one()
        found = Scene(publication.id, vorhaben.id, made.owner.id, neighbour.id, admin.id, field_id)
        db.commit()
    return found


def _page_of(browser: Browser, live: LiveServer, account_id: int) -> Iterator[Page]:
    context = signed_in_context(browser, live, account_id)
    yield context.new_page()
    context.close()


@pytest.fixture
def owner(browser: Browser, live_server: LiveServer, scene: Scene) -> Iterator[Page]:
    yield from _page_of(browser, live_server, scene.owner_id)


def test_the_public_page_with_everything_is_accessible(
    page: Page, live_server: LiveServer, scene: Scene
) -> None:
    page.goto(f"{live_server.url}/p/{scene.publication_id}")
    expect(page.get_by_role("img", name="Das Rathaus")).to_be_visible()
    expect(page.get_by_text("Bauvorlagen vorprüfen")).to_be_visible()
    expect(page.locator('[lang="en"]')).to_contain_text("Digital building permit")
    assert_accessible(page, "the public page with licence, image and AI record")


def test_the_vorhaben_form_and_page_with_the_ai_record_are_accessible(
    owner: Page, live_server: LiveServer, scene: Scene
) -> None:
    owner.goto(f"{live_server.url}/vorhaben/{scene.vorhaben_id}")
    expect(owner.get_by_role("heading", name="KI-Steckbrief")).to_be_visible()
    assert_accessible(owner, "the Vorhaben page with its AI record")
    owner.goto(f"{live_server.url}/vorhaben/{scene.vorhaben_id}/bearbeiten")
    explanation = owner.get_by_label("Begründung der Risikoklasse")
    explanation.fill("")
    owner.get_by_role("button", name="Speichern", exact=True).last.click()
    expect(owner.locator(".error-summary")).to_contain_text("Risikoklasse")
    assert_accessible(owner, "the Vorhaben form with an AI record error")


def test_the_publication_form_with_destinations_and_image_is_accessible(
    owner: Page, live_server: LiveServer, scene: Scene
) -> None:
    owner.goto(f"{live_server.url}/vorhaben/{scene.vorhaben_id}/publication")
    expect(owner.get_by_role("group", name="Empfänger")).to_be_visible()
    expect(owner.get_by_role("heading", name="Bild", exact=True)).to_be_visible()
    assert_accessible(owner, "the publication form with destinations and image")


def test_the_consent_page_is_accessible(
    browser: Browser, live_server: LiveServer, scene: Scene
) -> None:
    for page in _page_of(browser, live_server, scene.partner_member_id):
        page.goto(f"{live_server.url}/veroeffentlichungen/partnerschaften")
        expect(page.get_by_role("button", name="Zustimmen")).to_be_visible()
        assert_accessible(page, "the partner municipality's consent page")


def test_the_vocabulary_pages_are_accessible(
    browser: Browser, live_server: LiveServer, scene: Scene
) -> None:
    for page in _page_of(browser, live_server, scene.admin_id):
        page.goto(f"{live_server.url}/admin/vokabulare")
        expect(page.get_by_role("heading", name="Phasen")).to_be_visible()
        assert_accessible(page, "the vocabulary overview")
        page.goto(f"{live_server.url}/admin/vokabulare/handlungsfelder/{scene.field_id}")
        expect(page.get_by_role("group", name="OZG-Themenfelder")).to_be_visible()
        assert_accessible(page, "the mapping of a field of action")


def test_the_synonym_page_is_accessible_also_with_a_refused_list(
    browser: Browser, live_server: LiveServer, scene: Scene
) -> None:
    for page in _page_of(browser, live_server, scene.admin_id):
        page.goto(f"{live_server.url}/admin/synonyme")
        field = page.get_by_label("Synonyme")
        expect(field).to_have_value(re.compile("OZG = Onlinezugangsgesetz"))
        assert_accessible(page, "the synonym list")
        field.fill("Glasfaser = Lichtwellenleiter\nnur ein Ausdruck")
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("link", name=re.compile("Zeile 2"))).to_be_visible()
        expect(field).to_have_value("Glasfaser = Lichtwellenleiter\nnur ein Ausdruck")
        assert_accessible(page, "the synonym list, refused")
