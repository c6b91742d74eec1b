"""In Chromium: a member writes to another from the profile, with the keyboard; the other
reads it with JavaScript off; axe finds no WCAG 2.1 A/AA violation on the message pages."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from app.membership.personas import account_for
from tests.browser.conftest import LiveServer, assert_accessible, persona_context


def test_write_from_a_profile_and_read_without_javascript(
    member_page: Page, browser: Browser, demo: LiveServer
) -> None:
    with demo.session() as db:
        other = account_for(db, "leipzig")
        assert other is not None
        other_id, other_name = other.id, other.display_name
    page = member_page
    page.goto(demo.url + "/nachrichten")
    assert_accessible(page, "messages")
    page.goto(f"{demo.url}/mitglieder/{other_id}")
    page.get_by_role("link", name="Nachricht schreiben").click()
    expect(page.get_by_role("checkbox", name=other_name)).to_be_checked()
    assert_accessible(page, "new message")
    page.get_by_role("button", name="Senden").click()  # empty: the error summary
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page, "new message with errors")
    page.locator("#field-body").fill("Treffen wir uns zur Müllabfuhr-App?")
    page.get_by_role("button", name="Senden").click()
    expect(page.locator("main")).to_contain_text("Treffen wir uns zur Müllabfuhr-App?")
    assert_accessible(page, "conversation")

    context = persona_context(browser, demo, "leipzig", js=False)
    reader = context.new_page()
    reader.goto(demo.url + "/")
    expect(reader.get_by_role("link", name="Nachrichten ( 1 ungelesen)")).to_be_visible()
    reader.get_by_role("link", name="Nachrichten ( 1 ungelesen)").click()
    reader.locator("main .card a").first.click()
    expect(reader.locator("main")).to_contain_text("Treffen wir uns zur Müllabfuhr-App?")
    reader.locator("#field-body").fill("Gern, nächste Woche.")
    reader.get_by_role("button", name="Senden").click()
    expect(reader.locator("main")).to_contain_text("Gern, nächste Woche.")
    reader.goto(demo.url + "/nachrichten/gesperrt")
    assert_accessible(reader, "blocked members")
    context.close()
