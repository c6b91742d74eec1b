"""In Chromium: the mention finder under the comment field suggests a member and inserts the
mention; a signal carries a note; axe finds no WCAG 2.1 A/AA violation on either."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.accounts.models import Account, AccountState
from app.membership.personas import account_for as persona
from app.vorhaben.models import Signal, Visibility, Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible


def test_mention_a_member_and_signal_with_a_note(member_page: Page, demo: LiveServer) -> None:
    page = member_page
    with demo.session() as db:
        me = persona(db, "muenchen")
        assert me is not None
        target = db.scalars(
            select(Vorhaben)
            .where(
                Vorhaben.visibility == Visibility.MEMBERS,
                Vorhaben.municipality_id != me.municipality_id,
                Vorhaben.hidden_at.is_(None),
                Vorhaben.id.not_in(
                    select(Signal.vorhaben_id).where(Signal.municipality_id == me.municipality_id)
                ),
            )
            .order_by(Vorhaben.id)
        ).first()
        assert target is not None
        other = db.scalars(
            select(Account)
            .where(Account.state == AccountState.APPROVED, Account.id != me.id)
            .order_by(Account.id)
        ).first()
        assert other is not None
        vorhaben_id, name, other_id = target.id, other.display_name, other.id
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}")
    finder = page.locator(f"#mention-q-{vorhaben_id}")
    expect(finder).to_be_visible()  # shown by static/js/mentions.js
    page.locator("#field-body").fill("Frage an ")
    finder.fill(name.split()[0])
    suggestion = page.locator(f"#mention-list-{vorhaben_id} button", has_text=name).first
    expect(suggestion).to_be_visible()
    assert_accessible(page, "mention suggestions")
    suggestion.click()
    expect(page.locator("#field-body")).to_be_focused()
    expect(page.locator("#field-body")).to_have_value(
        f"Frage an @[{name}](/mitglieder/{other_id}) "
    )
    page.get_by_role("button", name="Kommentieren").click()
    expect(page.locator(f'#comments a[href="/mitglieder/{other_id}"]').first).to_have_text(name)

    panel = page.locator("#cooperation form", has=page.locator("input[value=interested]"))
    panel.get_by_text("Mit Nachricht (freiwillig)").click()
    panel.get_by_label("Nachricht an die Kommune des Vorhabens").fill("Wir sind auch dabei.")
    assert_accessible(page, "signal with a note")
    panel.get_by_role("button", name="Interesse bekunden").click()
    expect(page.locator("#cooperation")).to_contain_text("Wir sind auch dabei.")
