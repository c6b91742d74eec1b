"""The shell in a real browser: accessible, keyboard-usable, nothing from other hosts."""

from __future__ import annotations

from playwright.sync_api import Page, Request

from tests.browser.conftest import LiveServer, assert_accessible


def test_login_page_is_accessible_and_loads_nothing_foreign(
    page: Page, live_server: LiveServer
) -> None:
    requested: list[str] = []

    def remember(request: Request) -> None:
        requested.append(request.url)

    page.on("request", remember)
    page.goto(live_server.url + "/login")
    assert page.title() == "Anmelden – Allmende"
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page, "login")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/impressum")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_error_and_legal_pages_are_accessible(page: Page, live_server: LiveServer) -> None:
    for path in ("/gibt-es-nicht", "/impressum", "/datenschutz"):
        page.goto(live_server.url + path)
        assert_accessible(page, path)


def test_language_switch_works_without_javascript(
    page_without_js: Page, live_server: LiveServer
) -> None:
    page_without_js.goto(live_server.url + "/impressum")
    page_without_js.get_by_role("button", name="English").click()
    page_without_js.wait_for_url(live_server.url + "/impressum")
    assert page_without_js.locator("html").get_attribute("lang") == "en"
    assert page_without_js.locator("h1").inner_text() == "Imprint"
