"""In Chromium: an applicant applies with the keyboard only, a moderator approves; axe finds
no WCAG 2.1 A/AA violation on the sign-in, application, status and queue pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from app.accounts.models import Account, AccountState, Role
from app.demo import DEMO_REGISTRY
from app.membership.personas import seed_personas
from app.municipalities import gv100ad
from app.municipalities import service as municipalities
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context


@pytest.fixture(scope="module")
def live_server_overrides() -> dict[str, object]:
    return {"dev_login": True}


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> LiveServer:
    with live_server.session() as db:
        municipalities.import_registry(
            db, gv100ad.read_file(DEMO_REGISTRY), deactivate_missing=False
        )
        seed_personas(db)
        db.commit()
    return live_server


def _new_account(
    live: LiveServer, name: str, *, state: AccountState, role: Role = Role.MEMBER
) -> int:
    with live.session() as db:
        account = Account(
            display_name=name,
            email=f"{name.split(maxsplit=1)[0].lower()}@kiel.de",
            email_verified=True,
            state=state,
            role=role,
        )
        db.add(account)
        db.commit()
        return account.id


@pytest.fixture
def applicant_page(browser: Browser, seeded: LiveServer) -> Iterator[Page]:
    account_id = _new_account(seeded, "Kira Keller", state=AccountState.PENDING)
    context = signed_in_context(browser, seeded, account_id, provider="sso")
    yield context.new_page()
    context.close()


def test_sign_in_page_is_accessible(page: Page, seeded: LiveServer) -> None:
    page.goto(seeded.url + "/login")
    assert_accessible(page, "login")
    page.goto(seeded.url + "/dev/login")
    assert_accessible(page, "dev login")


def _focused(page: Page, test: str) -> bool:
    """Whether the focused element passes `test`, a JavaScript function of the element."""
    return bool(
        page.evaluate(
            f"(test => {{ const el = document.activeElement; "
            f"return !!el && el !== document.body && test(el); }})({test})"
        )
    )


def _tab_to(page: Page, test: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focused element passes `test`: the way a keyboard
    user gets there, so an element the keys cannot reach fails the test."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if _focused(page, test):
            return
    pytest.fail(f"{test} not reached with {limit} presses of {key} on {page.url}")


def test_keyboard_only_application_then_approval(
    applicant_page: Page, browser: Browser, seeded: LiveServer
) -> None:
    page = applicant_page
    page.goto(seeded.url + "/")
    expect(page).to_have_url(seeded.url + "/membership/apply")
    assert_accessible(page, "application form")

    # Keyboard only, from the top of the page: the skip link first, into the main content.
    page.keyboard.press("Tab")
    assert _focused(page, "el => el.classList.contains('skip-link')")
    page.keyboard.press("Enter")
    assert _focused(page, "el => el.id === 'main'")
    _tab_to(page, "el => el.id === 'municipality-q'")
    page.keyboard.type("Kiel")  # htmx fetches the results as you type
    kiel = page.locator("input[name=municipality_ags][value='01002000']")
    expect(kiel).to_be_visible()
    _tab_to(page, "el => el.name === 'municipality_ags' && el.value === '01002000'")
    page.keyboard.press("Space")
    expect(kiel).to_be_checked()
    _tab_to(page, "el => el.id === 'field-position'")
    page.keyboard.type("Chief Digital Officer")
    page.keyboard.press("Tab")
    assert _focused(page, "el => el.id === 'field-reason'")
    page.keyboard.type("Wir bauen gerade ein Bürgerportal.")
    page.keyboard.press("Tab")
    assert _focused(page, "el => el.type === 'submit' && el.textContent.includes('Antrag')")
    # A look back before sending: Shift+Tab returns to the reason and the position, as
    # typed (the hidden copy of the main button at the top of the form is no tab stop),
    # and Enter in the position sends the application.
    page.keyboard.press("Shift+Tab")
    assert _focused(page, "el => el.value === 'Wir bauen gerade ein Bürgerportal.'")
    page.keyboard.press("Shift+Tab")
    assert _focused(page, "el => el.id === 'field-position'")
    with page.expect_request(
        lambda request: request.url.endswith("/membership/apply") and request.method == "POST"
    ):
        page.keyboard.press("Enter")
    expect(page).to_have_url(seeded.url + "/membership/status")
    expect(page.locator("main")).to_contain_text("Ihr Antrag ist eingegangen")
    assert_accessible(page, "status page")

    with seeded.session() as db:
        moderator_id = next(a.id for a in seed_personas(db) if a.role is Role.MODERATOR)
    moderator_context = signed_in_context(browser, seeded, moderator_id, provider="sso")
    moderator = moderator_context.new_page()
    moderator.goto(seeded.url + "/moderation/applications")
    assert_accessible(moderator, "queue")
    _tab_to(moderator, "el => el.tagName === 'A' && el.textContent.trim() === 'Kira Keller'")
    moderator.keyboard.press("Enter")
    expect(moderator.locator("h1")).to_contain_text("Kira Keller")
    assert_accessible(moderator, "application review")
    _tab_to(moderator, "el => el.id === 'field-reason'")
    moderator.keyboard.type("Willkommen in Allmende")
    _tab_to(moderator, "el => el.name === 'decision' && el.value === 'approve'")
    moderator.keyboard.press("Enter")
    expect(moderator.locator(".notice")).to_contain_text("Entscheidung gespeichert")
    moderator_context.close()

    page.goto(seeded.url + "/")
    expect(page.locator("h1")).to_contain_text("Willkommen, Kira Keller")
    # A new member is welcomed with first steps, on the page and in the mail.
    expect(page.locator("#erste-schritte")).to_contain_text("erste Schritte")
    assert_accessible(page, "dashboard of a new member")
    page.goto(seeded.url + "/dev/mails")
    welcome = page.locator("details", has_text="kira@kiel.de").first
    welcome.locator("summary").click()
    expect(welcome).to_contain_text("Erste Schritte")
    assert_accessible(page, "development mail viewer")


def test_application_errors_are_announced_and_linked(
    applicant_page: Page, seeded: LiveServer
) -> None:
    page = applicant_page
    page.goto(seeded.url + "/membership/apply")
    page.get_by_role("button", name="Antrag stellen").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(page, "application form with errors")


def test_application_works_without_javascript(browser: Browser, seeded: LiveServer) -> None:
    account_id = _new_account(seeded, "Nora Noscript", state=AccountState.PENDING)
    context = signed_in_context(browser, seeded, account_id, js=False, provider="sso")
    page = context.new_page()
    page.goto(seeded.url + "/membership/apply")
    page.locator("#field-position").fill("Projektleitung")
    page.locator("#municipality-q").fill("Leipzig")
    page.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(seeded.url + "/membership/apply")  # a POST: nothing in the URL
    page.get_by_label("Leipzig, Stadt", exact=False).first.check()
    expect(page.locator("#field-position")).to_have_value("Projektleitung")
    page.locator("#field-position").press("Enter")
    expect(page).to_have_url(seeded.url + "/membership/status")
    context.close()


def test_a_moderator_adds_an_organisation_and_an_applicant_finds_it(
    applicant_page: Page, browser: Browser, seeded: LiveServer
) -> None:
    """docs/organisations.md: the organisation form and the picker, with axe on both."""
    with seeded.session() as db:
        moderator_id = next(a.id for a in seed_personas(db) if a.role is Role.MODERATOR)
    moderator_context = signed_in_context(browser, seeded, moderator_id, provider="sso")
    moderator = moderator_context.new_page()
    moderator.goto(seeded.url + "/moderation/organisationen")
    assert_accessible(moderator, "organisations")
    moderator.get_by_label("Name").fill("Stadt Graz")
    moderator.get_by_label("Art").select_option(label="Kommune im Ausland")
    moderator.get_by_label("Staat").select_option("AT")
    moderator.get_by_role("button", name="Anlegen").click()
    expect(moderator.locator("h1")).to_have_text("Stadt Graz (Kommune im Ausland, Österreich)")
    assert_accessible(moderator, "one organisation")
    moderator_context.close()

    page = applicant_page
    page.goto(seeded.url + "/membership/apply")
    page.locator("#municipality-q").type("Graz")
    graz = page.locator("label.radio", has_text="Stadt Graz")
    expect(graz).to_contain_text("Kommune im Ausland, Österreich")
    assert_accessible(page, "application form with an organisation")
