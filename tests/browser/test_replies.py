"""In Chromium, with JavaScript and without: a member answers a thread. With JavaScript the
"Antworten" link puts the form in place and the focus in its text field; a refused reply
comes back into that form with the error and the text; a good one joins the thread.
Without JavaScript the link opens the reply page, and the reply lands in the thread. axe on
the page with the form open and on the reply page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.comments import service as comments
from app.membership.personas import account_for as persona
from app.vorhaben.models import Visibility, Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible, persona_page


def _thread(demo: LiveServer) -> tuple[int, int]:
    """A Vorhaben every member sees, with a first comment to answer (made here)."""
    with demo.session() as db:
        author = persona(db, "muenchen")
        assert author is not None
        vorhaben = db.scalars(
            select(Vorhaben).where(Vorhaben.hidden_at.is_(None)).order_by(Vorhaben.id)
        ).first()
        assert vorhaben is not None
        vorhaben.visibility = Visibility.MEMBERS
        vorhaben.locked_at = None
        db.flush()
        top = comments.post(db, demo.settings, author, vorhaben.id, "Wer hat Erfahrung?")
        db.commit()
        return vorhaben.id, top.id


@pytest.fixture
def with_js(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    with persona_page(browser, demo, "leipzig") as page:
        yield page


@pytest.fixture
def without_js(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    with persona_page(browser, demo, "leipzig", js=False) as page:
        yield page


def _open_reply(page: Page, demo: LiveServer) -> int:
    """Open a new thread's Vorhaben page and follow the thread's "Antworten" link."""
    vorhaben_id, top_id = _thread(demo)
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}#kommentar-{top_id}")
    thread = page.locator(f"#kommentar-{top_id}").locator("xpath=..")
    thread.get_by_role("link", name="Antworten", exact=True).click()
    return top_id


def test_replying_in_place(with_js: Page, demo: LiveServer) -> None:
    page = with_js
    top_id = _open_reply(page, demo)
    field = page.locator(f"#antwort-text-{top_id}")
    expect(field).to_be_focused()
    assert_accessible(page, "reply form in place")

    # A bidi override the server refuses (the field's maxlength keeps a long text short).
    field.fill("Umgekehrt \u202e gelesen")
    page.locator(f"#antwort-{top_id}").get_by_role("button", name="Antwort senden").click()
    summary = page.locator(f"#antwort-{top_id} [data-error-summary]")
    expect(summary).to_be_focused()
    expect(page.locator(f"#antwort-text-{top_id}")).to_have_value("Umgekehrt \u202e gelesen")

    page.locator(f"#antwort-text-{top_id}").fill("Wir haben Erfahrung damit.")
    page.locator(f"#antwort-{top_id}").get_by_role("button", name="Antwort senden").click()
    expect(page.locator(".replies").get_by_text("Wir haben Erfahrung damit.")).to_be_visible()


def test_replying_without_javascript(without_js: Page, demo: LiveServer) -> None:
    page = without_js
    top_id = _open_reply(page, demo)
    expect(page).to_have_url(re.compile(f"/kommentare/{top_id}/antworten$"))
    expect(page.get_by_text("Wer hat Erfahrung?")).to_be_visible()
    assert_accessible(page, "reply page")

    page.get_by_label("Ihre Antwort").fill("Ohne JavaScript geantwortet.")
    page.get_by_role("button", name="Antwort senden").press("Enter")  # by keyboard
    expect(page.locator(".replies").get_by_text("Ohne JavaScript geantwortet.")).to_be_visible()
