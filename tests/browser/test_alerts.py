"""In Chromium: following a field of action from the list filter, with htmx (the form is
swapped in place) and with JavaScript off (the page comes back with a notice); the alerts
page lists it and takes it away; axe finds no violation on the way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible


def test_follow_a_field_with_htmx_and_unfollow_in_place(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben?field=abfall")
    page.get_by_role("button", name="Folgen: Abfall", exact=False).click()
    expect(page.locator("#follow-filters [role=status]")).to_contain_text("Sie folgen jetzt")
    assert_accessible(page, "list after following")
    page.goto(demo.url + "/benachrichtigungen/themen")
    expect(page.locator("main")).to_contain_text("Abfall")
    assert_accessible(page, "alerts page")
    page.get_by_role("button", name="Nicht mehr folgen", exact=False).first.click()
    expect(page.locator("main .card").first.get_by_role("button")).to_contain_text("Folgen:")
    page.reload()
    expect(page.locator("main")).to_contain_text("Sie folgen noch keinem Thema")


def test_follow_a_field_without_javascript(member_page_without_js: Page, demo: LiveServer) -> None:
    page = member_page_without_js
    page.goto(demo.url + "/vorhaben?field=abfall")
    page.get_by_role("button", name="Folgen: Abfall", exact=False).click()
    expect(page).to_have_url(demo.url + "/vorhaben?field=abfall")
    expect(page.locator("body")).to_contain_text("Sie folgen jetzt")
    page.goto(demo.url + "/benachrichtigungen/themen")
    page.get_by_role("button", name="Nicht mehr folgen", exact=False).first.click()
    expect(page.locator("main")).to_contain_text("Sie folgen noch keinem Thema")
