"""In Chromium: a member works the exchange with the keyboard alone and with JavaScript
off; axe finds no WCAG 2.1 A/AA violation on list, detail, form with errors, search and
dashboard."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.accounts.models import Account
from app.vorhaben.models import Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible


def test_dashboard_list_detail_and_search_are_accessible(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    page.goto(demo.url + "/")
    assert_accessible(page, "dashboard")
    page.goto(demo.url + "/vorhaben")
    assert_accessible(page, "list")
    page.locator("main .card h3 a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "detail")
    page.goto(demo.url + "/suche?q=strasse")
    expect(page.locator("[role=status]")).to_contain_text("Treffer")
    expect(page.locator("mark").first).to_be_visible()
    assert_accessible(page, "search")
    page.goto(demo.url + "/benachrichtigungen")
    assert_accessible(page, "notifications")
    page.goto(demo.url + "/konto")
    assert_accessible(page, "account")


def test_form_with_errors_is_accessible_and_focuses_the_summary(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben/new")
    assert_accessible(page, "new form")
    page.get_by_role("button", name="Vorhaben anlegen").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert_accessible(page, "form with errors")
    summary.get_by_role("link", name="Bitte geben Sie einen Titel an.").click()
    expect(page.locator("#field-title")).to_be_focused()


def test_keyboard_only_create_comment_and_signal(member_page: Page, demo: LiveServer) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben/new")
    page.locator("#field-title").focus()
    page.keyboard.type("Digitale Müllabfuhr-Termine per App")
    # The similar-Vorhaben panel fills while typing (Kiel has a Müllabfuhr app).
    expect(page.locator("#similar")).to_contain_text("Abfall")
    page.keyboard.press("Tab")
    page.keyboard.type("Abfuhrtermine und Erinnerungen für alle Haushalte.")
    page.locator("#field-stage").focus()
    page.keyboard.press("End")  # "Eingestellt": the form asks once for lessons learned
    # Back in the title, Enter sends the form, as most people finish one.
    page.locator("#field-title").focus()
    page.keyboard.press("Enter")
    prompt = page.locator("[data-error-summary]")
    expect(prompt).to_be_focused()
    expect(prompt).to_contain_text("Was haben Sie gelernt?")
    expect(page.locator("#field-title")).to_have_value("Digitale Müllabfuhr-Termine per App")
    # Enter in a field asks again; saving without the answer takes its own button.
    page.locator("#field-title").press("Enter")
    expect(page.locator("[data-error-summary]")).to_contain_text("Was haben Sie gelernt?")
    page.get_by_role("button", name="Ohne diese Angabe speichern").focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Digitale Müllabfuhr-Termine per App")

    page.locator("#field-body").focus()
    page.keyboard.type("Wir suchen Kommunen, die mitmachen.")
    page.keyboard.press("Tab")  # the optional file comes next, in reading order
    expect(page.locator("#field-datei")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Kommentieren")).to_be_focused()
    page.keyboard.press("Enter")  # "Kommentieren" (htmx swaps the thread)
    expect(page.locator("#comments")).to_contain_text("Wir suchen Kommunen, die mitmachen.")
    expect(page.locator("#comments article[data-focus-after-swap]")).to_be_focused()

    with demo.session() as db:
        kiel_app = db.scalars(
            select(Vorhaben).where(Vorhaben.title.startswith("Abfall-App: Müllabfuhr"))
        ).one()
        assert kiel_app is not None
        kiel_id = kiel_app.id
    page.goto(f"{demo.url}/vorhaben/{kiel_id}")
    # The similar Vorhaben load once their panel is in view (the new one is among them).
    page.locator("#similar").scroll_into_view_if_needed()
    expect(page.locator("#similar")).to_contain_text("Digitale Müllabfuhr-Termine per App")
    # A signal's own Vorhaben are fetched when its message opens (the new one is München's).
    interest = page.locator("#cooperation form", has=page.locator("input[value=interested]"))
    interest.locator("summary").focus()
    page.keyboard.press("Enter")
    choices = interest.locator("#linked-interested")
    expect(choices).to_contain_text("Digitale Müllabfuhr-Termine per App")
    reuse = page.locator("#cooperation form", has=page.locator("input[value=reuse]"))
    reuse.get_by_role("button", name="Nachnutzung anmelden").focus()
    page.keyboard.press("Enter")
    expect(reuse.get_by_role("button", name="Nachnutzung zurücknehmen")).to_be_visible()
    expect(page.locator("#cooperation")).to_contain_text("München")


def test_everything_works_without_javascript(
    member_page_without_js: Page, demo: LiveServer
) -> None:
    page = member_page_without_js
    page.goto(demo.url + "/vorhaben")
    page.locator("#field-stage").select_option("betrieb")
    page.get_by_role("button", name="Anwenden").click()
    expect(page).to_have_url(
        f"{demo.url}/vorhaben?stage=betrieb&field=&land=&kreis=&ai=&ai_risk=&kommune=&sort=activity"
    )
    expect(page.locator("main .card").first).to_contain_text("Betrieb")
    page.goto(demo.url + "/suche")
    page.locator("#field-q").fill("Digitalisierungsstrategie")
    page.get_by_role("button", name="Suchen", exact=True).click()
    expect(page.locator("[role=status]")).to_contain_text("Treffer")
    page.locator("main .card h3 a").first.click()
    page.locator("#field-body").fill("Ohne JavaScript kommentiert.")
    page.get_by_role("button", name="Kommentieren").click()
    expect(page.locator("#comments")).to_contain_text("Ohne JavaScript kommentiert.")
    # Commenting follows the Vorhaben; unfollowing works as a plain form too.
    page.get_by_role("button", name="Sie folgen – nicht mehr folgen").click()
    expect(page.get_by_role("button", name="Folgen", exact=True)).to_be_visible()
    # The similar Vorhaben, which the page loads after itself with JavaScript, are a link.
    page.get_by_role("link", name="Ähnliche Vorhaben anzeigen").click()
    expect(page.locator("h1")).to_contain_text("Ähnliche Vorhaben: ")
    expect(page.locator("main .card").first).to_be_visible()
    with demo.session() as db:
        assert db.scalars(select(Account).where(Account.display_name == "Lena Lindner")).one()
