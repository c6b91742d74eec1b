"""In Chromium: comment errors appear next to the field with htmx, comments are edited in
place (and on a page of their own without JavaScript), the list's municipality filter, and
the lessons-learned question when a Vorhaben ends."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible


def _first_vorhaben(page: Page, demo: LiveServer) -> None:
    page.goto(demo.url + "/vorhaben")
    page.locator("main .card h3 a").first.click()
    expect(page.locator("#comments")).to_be_visible()


def test_an_empty_comment_shows_its_error_next_to_the_field(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    _first_vorhaben(page, demo)
    url = page.url
    page.locator("#comments").get_by_role("button", name="Kommentieren").click()
    error = page.locator("#comments #error-body")
    expect(error).to_contain_text("Bitte schreiben Sie einen Kommentar.")
    expect(page.locator("#comments [data-error-summary]")).to_be_focused()
    expect(page.locator("#field-body")).to_have_attribute("aria-invalid", "true")
    assert page.url == url  # swapped in place, no page load
    assert_accessible(page, "comment with error")


def test_a_comment_is_edited_in_place(member_page: Page, demo: LiveServer) -> None:
    page = member_page
    _first_vorhaben(page, demo)
    url = page.url
    page.locator("#field-body").fill("Erste Fassung aus dem Browser")
    page.locator("#comments").get_by_role("button", name="Kommentieren").click()
    mine = page.locator("#comments article", has_text="Erste Fassung aus dem Browser")
    expect(mine).to_be_visible()
    comment_id = (mine.get_attribute("id") or "").removeprefix("kommentar-")
    assert comment_id.isascii() and comment_id.isdecimal()

    mine.get_by_role("link", name="Bearbeiten").click()
    editor = page.locator(f"#edit-body-{comment_id}")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Erste Fassung aus dem Browser")
    assert page.url == url
    assert_accessible(page, "comment edited in place")

    editor.fill("")
    page.locator(f"#kommentar-{comment_id}").get_by_role("button", name="Speichern").click()
    expect(page.locator(f"#kommentar-{comment_id} [data-error-summary]")).to_be_focused()
    expect(page.locator(f"#kommentar-{comment_id}")).to_contain_text(
        "Bitte schreiben Sie einen Kommentar."
    )

    page.locator(f"#edit-body-{comment_id}").fill("Zweite Fassung, **in place**")
    page.locator(f"#kommentar-{comment_id}").get_by_role("button", name="Speichern").click()
    saved = page.locator(f"#kommentar-{comment_id}")
    expect(saved.locator(".prose strong")).to_have_text("in place")
    expect(saved).to_be_focused()
    expect(saved.get_by_role("link", name="bearbeitet")).to_be_visible()
    assert page.url == url

    saved.get_by_role("link", name="Bearbeiten").click()
    page.locator(f"#kommentar-{comment_id}").get_by_role("link", name="Abbrechen").click()
    expect(page.locator(f"#kommentar-{comment_id}")).to_contain_text("Zweite Fassung")
    expect(page.locator(f"#edit-body-{comment_id}")).to_have_count(0)


def test_without_javascript_editing_is_a_page_and_a_redirect(
    member_page_without_js: Page, demo: LiveServer
) -> None:
    page = member_page_without_js
    _first_vorhaben(page, demo)
    detail = page.url.split("#")[0]
    page.locator("#field-body").fill("Ohne JavaScript geschrieben")
    page.get_by_role("button", name="Kommentieren").click()
    mine = page.locator("#comments article", has_text="Ohne JavaScript geschrieben")
    mine.get_by_role("link", name="Bearbeiten").click()
    expect(page.locator("h1")).to_have_text("Kommentar bearbeiten")
    page.locator("textarea[name=body]").fill("Ohne JavaScript geändert")
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + r"#kommentar-\d+$"))
    expect(page.locator("#comments")).to_contain_text("Ohne JavaScript geändert")


def test_the_land_brings_its_kreise_and_a_municipality_can_be_chosen(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben")
    assert page.locator("#field-kreis").count() == 0
    page.locator("#field-land").select_option(label="Bayern")
    kreis = page.locator("#field-kreis")
    expect(kreis).to_be_visible()
    expect(kreis.locator("option", has_text="München, Landeshauptstadt")).to_have_count(1)
    expect(page.locator("#results .card").first).to_contain_text("Bayern")
    page.locator("#field-land").select_option(label="Schleswig-Holstein")
    expect(kreis.locator("option", has_text="Kiel")).to_have_count(1)
    expect(kreis.locator("option", has_text="München")).to_have_count(0)
    page.locator("#field-land").select_option(value="")
    expect(page.locator("#field-kreis")).to_have_count(0)

    page.locator("#field-kommune").fill("Kiel")
    choice = page.locator("#municipality-filter").get_by_role("radio", name=re.compile("^Kiel"))
    expect(choice.first).to_be_visible()
    choice.first.check()
    expect(page).to_have_url(re.compile(r"municipality=01002000"))
    cards = page.locator("#results .card")
    expect(cards.first).to_be_visible()
    for index in range(cards.count()):
        expect(cards.nth(index)).to_contain_text("Kiel")
    expect(page.locator("#municipality-filter input:checked")).to_have_attribute(
        "value", "01002000"
    )
    assert_accessible(page, "list with municipality filter")


def test_the_municipality_filter_without_javascript(
    member_page_without_js: Page, demo: LiveServer
) -> None:
    page = member_page_without_js
    page.goto(demo.url + "/vorhaben")
    page.locator("#field-kommune").fill("Kiel")
    page.get_by_role("button", name="Kommune suchen").click()
    page.locator("#municipality-filter").get_by_role(
        "radio", name=re.compile("^Kiel")
    ).first.check()
    page.get_by_role("button", name="Anwenden").click()
    expect(page).to_have_url(re.compile(r"municipality=01002000"))
    expect(page.locator("main .card").first).to_contain_text("Kiel")


def test_ending_a_vorhaben_asks_for_lessons_accessibly(member_page: Page, demo: LiveServer) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben/new")
    page.locator("#field-title").fill("Testvorhaben Abschlussfrage")
    page.locator("#field-stage").select_option("abgeschlossen")
    page.locator("#field-title").press("Enter")
    prompt = page.locator("[data-error-summary]")
    expect(prompt).to_be_focused()
    assert_accessible(page, "lessons-learned question")
    prompt.get_by_role("link").click()
    expect(page.locator("#field-lessons_learned")).to_be_focused()
    page.keyboard.type("Früh mit dem Personalrat sprechen.")
    page.get_by_role("button", name="Vorhaben anlegen").click()
    expect(page.locator("h1")).to_have_text("Testvorhaben Abschlussfrage")
    expect(page.locator("main")).to_contain_text("Früh mit dem Personalrat sprechen.")
