"""In Chromium with JavaScript off: a member finds a colleague to mention on the mention page
and posts the mention; gives a signal with a note and names one of their own Vorhaben
through the signal's own page; the owning municipality reads the note and answers it.
axe on every page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.membership.personas import account_for as persona
from app.vorhaben.models import Signal, Visibility, Vorhaben
from tests.browser.conftest import TIMEOUT_MS, LiveServer, assert_accessible, persona_page


@pytest.fixture
def owner_page(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    with persona_page(browser, demo, "muenchen", js=False) as page:
        yield page


def scene(demo: LiveServer) -> tuple[int, str, int, str]:
    """A Vorhaben of Munich for all members that Leipzig has not signalled, one of
    Leipzig's own, and the name of Munich's persona (to mention)."""
    with demo.session() as db:
        owner = persona(db, "muenchen")
        signaller = persona(db, "leipzig")
        assert owner is not None and signaller is not None
        target = db.scalars(
            select(Vorhaben)
            .where(
                Vorhaben.author_id == owner.id,
                Vorhaben.hidden_at.is_(None),
                Vorhaben.id.not_in(
                    select(Signal.vorhaben_id).where(
                        Signal.municipality_id == signaller.municipality_id
                    )
                ),
            )
            .order_by(Vorhaben.id)
        ).first()
        assert target is not None, "the demo has no Vorhaben by the Munich persona"
        target.visibility = Visibility.MEMBERS
        mine = db.scalars(
            select(Vorhaben)
            .where(Vorhaben.municipality_id == signaller.municipality_id)
            .where(Vorhaben.hidden_at.is_(None))
            .order_by(Vorhaben.id)
        ).first()
        assert mine is not None
        db.commit()
        return target.id, mine.title, owner.id, owner.display_name


def test_mention_signal_note_and_answer_without_javascript(
    member_page_without_js: Page, owner_page: Page, demo: LiveServer
) -> None:
    page = member_page_without_js
    page.set_default_timeout(TIMEOUT_MS)
    vorhaben_id, own_title, owner_id, owner_name = scene(demo)
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}")
    expect(page.locator("[data-mention-finder]")).to_be_hidden()  # the script would show it

    # The mention page: search by name (Enter), copy the mention into the comment.
    page.get_by_role("link", name="Mitglieder zum Erwähnen suchen").first.click()
    assert_accessible(page, "mention page")
    search = page.get_by_label("Name")
    search.fill(owner_name.split()[0])
    search.press("Enter")
    mention = page.locator("li", has_text=owner_name).locator("code").first
    expect(mention).to_have_text(f"@[{owner_name}](/mitglieder/{owner_id})")
    assert_accessible(page, "mention page with a result")
    text = mention.inner_text()
    page.go_back()
    page.go_back()
    page.locator("#field-body").fill(f"Frage an {text}, wie lief die Ausschreibung?")
    page.get_by_role("button", name="Kommentieren").click()
    expect(page.locator(f'#comments a[href="/mitglieder/{owner_id}"]').first).to_have_text(
        owner_name
    )

    # A signal with a note and one of Leipzig's own Vorhaben, through the signal's page.
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}#zusammenarbeit")
    form = page.locator("#cooperation form", has=page.locator("input[value=interested]"))
    form.get_by_text("Mit Nachricht (freiwillig)").click()  # <details> needs no script
    form.get_by_role("link", name="Ein eigenes Vorhaben dazu nennen").click()
    assert_accessible(page, "the signal's own page")
    page.get_by_label("Nachricht an die Kommune des Vorhabens").fill("Wir planen das auch.")
    page.get_by_label("Eigenes Vorhaben dazu").select_option(label=own_title)
    page.get_by_role("button", name="Signal geben").click()
    cooperation = page.locator("#cooperation")
    expect(cooperation).to_contain_text("Wir planen das auch.")
    expect(cooperation.get_by_role("link", name=own_title)).to_be_visible()

    # Munich reads the note and answers it; Leipzig sees the answer.
    owner_page.goto(f"{demo.url}/vorhaben/{vorhaben_id}#zusammenarbeit")
    owner_cooperation = owner_page.locator("#cooperation")
    expect(owner_cooperation).to_contain_text("Wir planen das auch.")
    assert_accessible(owner_page, "a signal's note for the owners")
    owner_cooperation.get_by_label("Antworten").first.fill("Gern, melden Sie sich!")
    owner_cooperation.get_by_role("button", name="Antwort senden").first.click()
    expect(owner_page.locator("#cooperation")).to_contain_text("Gern, melden Sie sich!")
    page.reload()
    expect(page.locator("#cooperation")).to_contain_text("Gern, melden Sie sich!")
    assert_accessible(page, "the answer for the signaller")
