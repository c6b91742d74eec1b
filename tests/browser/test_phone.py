"""The phone layout (390 px wide): the list shows results before its filters, nothing runs
off the right edge, and on a Vorhaben the cooperation buttons come before the discussion.
The same pages at desktop width keep the filters open and the two columns."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from app.vorhaben.models import Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible, persona_context

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)
# A Vorhaben with a long discussion and a title of long German compounds.
LONG_TITLE = "Online-Beteiligungsplattform auf Open-Source-Basis"


@pytest.fixture
def phone(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    context = persona_context(browser, demo, "muenchen")
    page = context.new_page()
    page.set_viewport_size(PHONE)
    yield page
    context.close()


def _no_horizontal_overflow(page: Page) -> None:
    """Nothing is wider than the screen: long words are hyphenated or wrapped."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide on a {widths[1]} px screen"
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main h1, main h2, main h3, main p, main a')]
              .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
              .map(el => el.textContent.trim().slice(0, 60))"""
    )
    assert too_wide == []


def _vorhaben_id(demo: LiveServer, title: str) -> int:
    with demo.session() as db:
        found = db.scalars(select(Vorhaben.id).where(Vorhaben.title == title)).one()
        return int(found)


def test_on_a_phone_the_list_shows_results_before_the_filters(
    phone: Page, demo: LiveServer
) -> None:
    phone.goto(demo.url + "/vorhaben")
    first_card = phone.locator("main .card").first
    expect(first_card).to_be_visible()
    # The filters took the first 1,180 px; now the first result is on the first screen.
    assert first_card.bounding_box()["y"] < PHONE["height"]  # type: ignore[index]
    expect(phone.locator("#field-stage")).to_be_hidden()
    _no_horizontal_overflow(phone)
    assert_accessible(phone, "list on a phone")
    # Opened, the filters work as before.
    phone.get_by_text("Filter", exact=True).click()
    expect(phone.locator("#field-stage")).to_be_visible()
    phone.locator("#field-stage").select_option("betrieb")
    expect(phone.locator("main .card").first).to_contain_text("Betrieb")
    assert_accessible(phone, "list on a phone, filters open")


def test_on_a_phone_cooperation_comes_before_the_discussion(phone: Page, demo: LiveServer) -> None:
    phone.goto(f"{demo.url}/vorhaben/{_vorhaben_id(demo, LONG_TITLE)}")
    cooperation = phone.locator("#zusammenarbeit")
    discussion = phone.locator("#comments-title")
    # In reading order (screen readers, keyboard) and on the screen.
    assert phone.evaluate(
        """() => Boolean(document.querySelector('#zusammenarbeit').compareDocumentPosition(
                 document.querySelector('#comments-title')) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert cooperation.bounding_box()["y"] < discussion.bounding_box()["y"]  # type: ignore[index]
    _no_horizontal_overflow(phone)
    hyphens = phone.evaluate("getComputedStyle(document.querySelector('main h1')).hyphens")
    assert hyphens == "auto"
    assert phone.locator("html").get_attribute("lang") == "de"
    assert_accessible(phone, "Vorhaben on a phone")


def test_on_a_phone_a_new_idea_is_a_short_form(phone: Page, demo: LiveServer) -> None:
    phone.goto(demo.url + "/vorhaben/new")
    expect(phone.locator("#field-description")).to_be_hidden()
    expect(phone.locator("#field-lessons_learned")).to_be_hidden()
    _no_horizontal_overflow(phone)
    assert_accessible(phone, "new Vorhaben on a phone")
    # The lessons-learned question appears once the Vorhaben has come to an end.
    phone.locator("#field-stage").select_option("abgeschlossen")
    expect(phone.locator("#field-lessons_learned")).to_be_visible()


def test_on_a_desktop_filters_are_open_and_cooperation_is_beside_the_text(
    browser: Browser, demo: LiveServer
) -> None:
    context = persona_context(browser, demo, "muenchen")
    page = context.new_page()
    page.set_viewport_size(DESKTOP)
    try:
        page.goto(demo.url + "/vorhaben")
        expect(page.locator("#field-stage")).to_be_visible()
        page.goto(f"{demo.url}/vorhaben/{_vorhaben_id(demo, LONG_TITLE)}")
        cooperation = page.locator("#zusammenarbeit").bounding_box()
        discussion = page.locator("#comments-title").bounding_box()
        text = page.locator("main .prose").first.bounding_box()
        assert cooperation and discussion and text
        assert cooperation["x"] > discussion["x"] + discussion["width"] / 2  # side column
        assert discussion["y"] > text["y"]  # the discussion follows the text
        assert_accessible(page, "Vorhaben on a desktop")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("persona", "paths"),
    [
        (
            "muenchen",
            [
                "/",
                "/suche?q=schule",
                "/benachrichtigungen",
                "/benachrichtigungen/themen",
                "/vorhaben?field=abfall",
                "/konto",
                "/konto/daten",
            ],
        ),
        (
            "moderatorin",
            [
                "/moderation",
                "/moderation/applications",
                "/moderation/reports",
                "/moderation/publications",
                "/moderation/audit",
                "/moderation/domains",
                "/moderation/organisationen",
            ],
        ),
        ("antrag", ["/membership/status", "/vorhaben"]),
    ],
)
def test_pages_fit_a_phone_and_stay_accessible(
    browser: Browser, demo: LiveServer, persona: str, paths: list[str]
) -> None:
    context = persona_context(browser, demo, persona)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    try:
        for path in paths:
            page.goto(demo.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"
            assert_accessible(page, f"{path} on a phone as {persona}")
    finally:
        context.close()
