"""In Chromium with axe: the public page of a project, the owners' publication form with
its preview (also with errors), and the moderators' review page have no WCAG 2.1 A/AA
violation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from app.export import service
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context
from tests.publishing import form_of, make_scene, publish


@dataclass
class Published:
    publication_id: str
    vorhaben_id: int
    owner_id: int
    moderator_id: int


@pytest.fixture(scope="module")
def published(live_server: LiveServer) -> Published:
    with live_server.session() as db:
        scene = make_scene(db)
        publication = publish(
            db,
            live_server.settings,
            scene,
            description="## Ziel\n\nAnträge *online*.",
            consent=True,
        )
        # A change waiting for review, so the review page has something to decide.
        form = form_of(db, scene)
        form.summary = "Anträge online stellen, jetzt mit Bauvorlagen"
        service.submit(db, live_server.settings, scene.owner, scene.vorhaben.id, form)
        found = Published(publication.id, scene.vorhaben.id, scene.owner.id, scene.moderator.id)
        db.commit()
    return found


@pytest.fixture
def owner_page(browser: Browser, live_server: LiveServer, published: Published) -> Iterator[Page]:
    context = signed_in_context(browser, live_server, published.owner_id)
    yield context.new_page()
    context.close()


def test_the_public_page_is_accessible(
    page: Page, live_server: LiveServer, published: Published
) -> None:
    page.goto(f"{live_server.url}/p/{published.publication_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitaler Bauantrag")
    expect(page.get_by_text("Olga Owner")).to_be_visible()
    assert_accessible(page, "the public page")


def test_the_publication_form_and_preview_are_accessible(
    owner_page: Page, live_server: LiveServer, published: Published
) -> None:
    owner_page.goto(f"{live_server.url}/vorhaben/{published.vorhaben_id}/publication")
    expect(
        owner_page.get_by_role("heading", name="Vorschau: genau das erhalten Partner")
    ).to_be_visible()
    expect(owner_page.locator(".preview dl.facts")).to_contain_text("Version")
    assert_accessible(owner_page, "the publication form with its preview")
    title = owner_page.get_by_label("Öffentlicher Titel")
    title.fill("")
    title.press("Enter")  # saves the draft, the form's safe default
    expect(owner_page.locator(".error-summary")).to_be_visible()
    assert_accessible(owner_page, "the publication form with an error")


def test_the_review_page_is_accessible(
    browser: Browser, live_server: LiveServer, published: Published
) -> None:
    context = signed_in_context(browser, live_server, published.moderator_id)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/moderation/publications/{published.publication_id}")
        expect(page.get_by_role("button", name="Freigeben")).to_be_visible()
        expect(page.get_by_role("heading", name="Zurückziehen")).to_be_visible()
        assert_accessible(page, "the review page")
    finally:
        context.close()
