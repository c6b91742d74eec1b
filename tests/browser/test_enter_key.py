"""In Chromium: pressing Enter in a field does what the form is for.

Most people finish a form by pressing Enter in a text field. The browser then presses the
form's default button, the first submit button in document order, so a side button placed
first (a search) silently took that role: the new-Vorhaben form redisplayed itself instead of
creating anything, and the application form sent position, reason and the CSRF token in a GET
URL. Enter in a side search field runs that search and submits nothing else.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest
from playwright.sync_api import Browser, Page, Request, Response, expect
from sqlalchemy import select

from app.accounts.models import Account, AccountState
from app.export.models import Publication
from app.membership.models import Application
from app.membership.personas import account_for
from app.municipalities import service as municipalities
from app.vorhaben.models import Vorhaben
from tests import factories
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context

VORHABEN_PAGE = re.compile(r"/vorhaben/(\d+)$")


def _is_post_to(path: str) -> Callable[[Response], bool]:
    def test(response: Response) -> bool:
        return response.request.method == "POST" and response.url.endswith(path)

    return test


def _created_id(response: Response) -> int:
    """The id the 303 of a successful create or edit points to."""
    assert response.status == 303, f"{response.status} from {response.url}"
    location = response.header_value("location") or ""
    found = VORHABEN_PAGE.search(location)
    assert found, location
    return int(found.group(1))


# -- the Vorhaben form ------------------------------------------------------------------------


def test_enter_in_the_title_creates_the_vorhaben(member_page: Page, demo: LiveServer) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben/new")
    page.locator("#field-title").fill("Digitale Parkausweise für Anwohner")
    page.locator("#field-summary").fill("Beantragen und verlängern ohne Wartezeit.")
    with page.expect_response(_is_post_to("/vorhaben/new")) as posted:
        page.locator("#field-title").press("Enter")
    vorhaben_id = _created_id(posted.value)
    expect(page).to_have_url(f"{demo.url}/vorhaben/{vorhaben_id}")
    expect(page.locator("h1")).to_have_text("Digitale Parkausweise für Anwohner")
    expect(page.locator("main")).to_contain_text("Ihr Vorhaben ist angelegt.")
    with demo.session() as db:
        created = db.get_one(Vorhaben, vorhaben_id)
        assert created.summary == "Beantragen und verlängern ohne Wartezeit."


def test_enter_in_the_title_creates_the_vorhaben_without_javascript(
    member_page_without_js: Page, demo: LiveServer
) -> None:
    page = member_page_without_js
    page.goto(demo.url + "/vorhaben/new")
    page.locator("#field-title").fill("Ohne JavaScript angelegt")
    with page.expect_response(_is_post_to("/vorhaben/new")) as posted:
        page.locator("#field-title").press("Enter")
    vorhaben_id = _created_id(posted.value)
    expect(page).to_have_url(f"{demo.url}/vorhaben/{vorhaben_id}")
    expect(page.locator("h1")).to_have_text("Ohne JavaScript angelegt")


def _own_vorhaben(demo: LiveServer, persona: str, title: str) -> int:
    with demo.session() as db:
        author = account_for(db, persona)
        assert author is not None
        vorhaben = factories.vorhaben(db, author, title, settings=demo.settings)
        db.commit()
        return vorhaben.id


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_enter_in_the_title_saves_an_edit(browser: Browser, demo: LiveServer, js: bool) -> None:
    vorhaben_id = _own_vorhaben(demo, "muenchen", f"Erste Fassung {js}")
    with demo.session() as db:
        author = account_for(db, "muenchen")
        assert author is not None
        author_id = author.id
    context = signed_in_context(browser, demo, author_id, js=js)
    page = context.new_page()
    try:
        page.goto(f"{demo.url}/vorhaben/{vorhaben_id}/bearbeiten")
        title = page.locator("#field-title")
        title.fill(f"Zweite Fassung {js}")
        with page.expect_response(_is_post_to(f"/vorhaben/{vorhaben_id}/bearbeiten")) as posted:
            title.press("Enter")
        assert _created_id(posted.value) == vorhaben_id
        expect(page).to_have_url(f"{demo.url}/vorhaben/{vorhaben_id}")
        expect(page.locator("h1")).to_have_text(f"Zweite Fassung {js}")
        expect(page.locator("main")).to_contain_text("Änderungen gespeichert.")
    finally:
        context.close()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_enter_in_the_partner_search_searches_and_creates_nothing(
    browser: Browser, demo: LiveServer, js: bool
) -> None:
    with demo.session() as db:
        author = account_for(db, "leipzig")
        assert author is not None
        author_id = author.id
    context = signed_in_context(browser, demo, author_id, js=js)
    page = context.new_page()
    title = f"Gemeinsame Terminbuchung {js}"
    try:
        page.goto(demo.url + "/vorhaben/new")
        page.locator("#field-title").fill(title)
        # Partners are not asked at first.
        page.locator("summary").filter(has_text="Weitere Angaben").click()
        page.locator("#partner-q").fill("Kiel")
        page.locator("#partner-q").press("Enter")
        kiel = page.get_by_role("checkbox", name=re.compile("^Kiel"))
        expect(kiel).to_be_visible()
        expect(kiel).to_be_focused()  # the results are where the page picks up
        expect(page.locator("#partner-status")).to_contain_text("Treffer für „Kiel“")
        expect(page.locator("#field-title")).to_have_value(title)
        with demo.session() as db:
            assert db.scalars(select(Vorhaben).where(Vorhaben.title == title)).all() == []
        # Chosen from the results, Enter in the title saves, with the partner.
        kiel.check()
        with page.expect_response(_is_post_to("/vorhaben/new")) as posted:
            page.locator("#field-title").press("Enter")
        vorhaben_id = _created_id(posted.value)
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("main")).to_contain_text("Kiel")
        with demo.session() as db:
            created = db.get_one(Vorhaben, vorhaben_id)
            assert created.title == title
    finally:
        context.close()


def test_a_refused_form_sent_with_enter_keeps_everything_typed(
    member_page: Page, demo: LiveServer
) -> None:
    page = member_page
    page.goto(demo.url + "/vorhaben/new")
    page.locator("#field-title").fill("Mit falscher Adresse")
    page.locator("#field-summary").fill("Bleibt stehen.")
    page.locator("summary").filter(has_text="Weitere Angaben").click()
    page.locator("#field-description").fill("Zeile eins\nZeile zwei")
    page.locator("#field-tags").fill("ozg, efa")
    page.locator("#field-website_url").fill("keine-adresse")
    with page.expect_response(_is_post_to("/vorhaben/new")) as posted:
        page.locator("#field-website_url").press("Enter")
    assert posted.value.status == 422
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("#field-title")).to_have_value("Mit falscher Adresse")
    expect(page.locator("#field-summary")).to_have_value("Bleibt stehen.")
    expect(page.locator("#field-description")).to_have_value("Zeile eins\nZeile zwei")
    expect(page.locator("#field-tags")).to_have_value("ozg, efa")
    expect(page.locator("#field-website_url")).to_have_value("keine-adresse")
    assert_accessible(page, "form refused after Enter")


# -- the application form ---------------------------------------------------------------------


@pytest.fixture
def applicant(demo: LiveServer) -> int:
    """A new account, signed in through SSO, that has not applied yet."""
    with demo.session() as db:
        account = Account(
            display_name="Erik Enter",
            email=f"erik.enter.{secrets.token_hex(4)}@kiel.de",
            email_verified=True,
            state=AccountState.PENDING,
        )
        db.add(account)
        db.commit()
        return account.id


def _requests_of(page: Page) -> list[tuple[str, str]]:
    """(method, URL) of every request the page makes from now on."""
    made: list[tuple[str, str]] = []

    def record(request: Request) -> None:
        made.append((request.method, request.url))

    page.on("request", record)
    return made


def _assert_nothing_secret_in(requests: list[tuple[str, str]], *typed: str) -> None:
    for _method, url in requests:
        assert "csrf_token" not in url, url
        for text in typed:
            for spelling in (text, quote(text), quote_plus(text)):
                assert spelling not in url, url


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_enter_in_the_position_files_the_application_as_post(
    browser: Browser, demo: LiveServer, applicant: int, js: bool
) -> None:
    context = signed_in_context(browser, demo, applicant, js=js, provider="sso")
    page = context.new_page()
    requests = _requests_of(page)
    try:
        page.goto(demo.url + "/membership/apply")
        page.locator("#municipality-q").fill("Kiel")
        if not js:
            page.locator("#municipality-q").press("Enter")
        page.get_by_role("radio", name=re.compile("^Kiel")).first.check()
        page.locator("#field-reason").fill("Wir teilen gern, was wir bauen.")
        page.locator("#field-position").fill("Leitung Digitales Kiel")
        with page.expect_response(_is_post_to("/membership/apply")) as posted:
            page.locator("#field-position").press("Enter")
        assert posted.value.status == 303
        expect(page).to_have_url(demo.url + "/membership/status")
        expect(page.locator("main")).to_contain_text("Ihr Antrag ist eingegangen")
        _assert_nothing_secret_in(requests, "Leitung Digitales Kiel", "Wir teilen gern")
        with demo.session() as db:
            filed = db.scalars(select(Application).where(Application.account_id == applicant)).one()
            assert filed.position == "Leitung Digitales Kiel"
            kiel = municipalities.get_by_ags(db, "01002000")
            assert kiel is not None and filed.municipality_id == kiel.id
    finally:
        context.close()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_enter_in_the_municipality_search_searches_and_files_nothing(
    browser: Browser, demo: LiveServer, applicant: int, js: bool
) -> None:
    context = signed_in_context(browser, demo, applicant, js=js, provider="sso")
    page = context.new_page()
    requests = _requests_of(page)
    try:
        page.goto(demo.url + "/membership/apply")
        page.locator("#field-position").fill("Projektleitung")
        page.locator("#municipality-q").fill("Leipzig")
        page.locator("#municipality-q").press("Enter")
        leipzig = page.get_by_role("radio", name=re.compile("^Leipzig"))
        expect(leipzig.first).to_be_visible()
        expect(page.locator("[data-error-summary]")).to_have_count(0)
        expect(page.locator("#field-position")).to_have_value("Projektleitung")
        _assert_nothing_secret_in(requests, "Projektleitung")
        if js:  # in place: no page load, the focus stays in the search field
            assert [url for method, url in requests if method == "POST"] == []
            expect(page.locator("#municipality-q")).to_be_focused()
        else:  # a new page, focus on the first result
            expect(leipzig.first).to_be_focused()
        with demo.session() as db:
            assert (
                db.scalars(select(Application).where(Application.account_id == applicant)).all()
                == []
            )
    finally:
        context.close()


# -- the publication form ---------------------------------------------------------------------


def test_enter_in_the_public_title_saves_the_draft_and_publishes_nothing(
    member_page: Page, demo: LiveServer
) -> None:
    vorhaben_id = _own_vorhaben(demo, "muenchen", "Offene Ratsinformation")
    page = member_page
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}/publication")
    title = page.get_by_label("Öffentlicher Titel")
    title.fill("Offene Ratsinformation für alle")
    with page.expect_response(_is_post_to(f"/vorhaben/{vorhaben_id}/publication")) as posted:
        title.press("Enter")
    assert posted.value.status == 303
    expect(page.locator("#preview-title")).to_be_visible()
    expect(page.locator(".preview")).to_contain_text("Offene Ratsinformation für alle")
    with demo.session() as db:
        publication = db.scalars(
            select(Publication).where(Publication.vorhaben_id == vorhaben_id)
        ).one()
        assert publication.state.value == "draft"
        assert not publication.live
