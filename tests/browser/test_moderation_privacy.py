"""In Chromium: axe finds no WCAG 2.1 A/AA violation on the report form, the report queue
and decision page (each also with errors), hidden content as its author sees it, the
publication pages and the privacy pages (data page, erase confirmation with an error, the
stale-sign-in notice, /datenschutz, /impressum)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.comments.models import Comment
from app.core import clock
from app.membership.personas import account_for
from app.moderation import reports
from app.vorhaben.models import Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible, persona_context


def _page(browser: Browser, live: LiveServer, persona: str) -> Page:
    return persona_context(browser, live, persona).new_page()


def test_report_form_queue_and_decision(browser: Browser, demo: LiveServer) -> None:
    with demo.session() as db:
        leipzig = account_for(db, "leipzig")
        assert leipzig is not None
        comment = db.scalars(
            select(Comment)
            .where(Comment.author_id != leipzig.id, Comment.deleted_at.is_(None))
            .join(Vorhaben, Vorhaben.id == Comment.vorhaben_id)
            .where(Vorhaben.visibility == "members")
        ).first()
        assert comment is not None
        comment_id = comment.id
    member = _page(browser, demo, "leipzig")
    member.goto(f"{demo.url}/kommentare/{comment_id}/melden")
    assert_accessible(member, "report form")
    member.get_by_role("button", name="Melden", exact=True).click()
    expect(member.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(member, "report form with errors")
    member.get_by_label("Werbung oder Spam").check()
    member.get_by_role("button", name="Melden", exact=True).click()
    expect(member.locator(".notice")).to_contain_text("Danke")
    member.context.close()

    moderator = _page(browser, demo, "moderatorin")
    moderator.goto(f"{demo.url}/moderation/reports")
    assert_accessible(moderator, "report queue")
    moderator.locator("main table a").first.click()
    expect(moderator.locator("h1")).to_have_text("Meldung prüfen")
    assert_accessible(moderator, "report decision")
    moderator.get_by_label("Begründung").fill("Meine Notiz")
    moderator.get_by_role("button", name="Entscheiden").click()
    expect(moderator.locator("[data-error-summary]")).to_be_focused()
    expect(moderator.get_by_label("Begründung")).to_have_value("Meine Notiz")
    assert_accessible(moderator, "report decision with errors")
    moderator.goto(f"{demo.url}/moderation/publications")
    assert_accessible(moderator, "publication queue")
    moderator.context.close()


def test_privacy_and_publication_pages(browser: Browser, demo: LiveServer) -> None:
    page = _page(browser, demo, "muenchen")
    for path in ("/konto", "/konto/daten", "/datenschutz", "/impressum"):
        page.goto(demo.url + path)
        assert_accessible(page, path)
    # The erase confirmation with a wrong word: the error, and nothing erased.
    page.goto(demo.url + "/konto/daten")
    page.get_by_label("Tippen Sie LÖSCHEN zur Bestätigung").fill("vielleicht")
    page.get_by_role("button", name="Konto endgültig löschen").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page, "erase confirmation with an error")
    # Eleven minutes later the page asks for a fresh sign-in first.
    clock.travel(dt.timedelta(minutes=11))
    try:
        page.goto(demo.url + "/konto/daten")
        expect(page.get_by_role("link", name="Jetzt neu anmelden")).to_be_visible()
        assert_accessible(page, "privacy page asking for a fresh sign-in")
    finally:
        clock.reset()
    with demo.session() as db:
        muenchen = account_for(db, "muenchen")
        assert muenchen is not None
        own = db.scalars(
            select(Vorhaben).where(
                Vorhaben.author_id == muenchen.id, Vorhaben.visibility == "members"
            )
        ).first()
        assert own is not None
        own_id = own.id
    page.goto(f"{demo.url}/vorhaben/{own_id}/publication")
    assert_accessible(page, "publication form")
    page.get_by_label("Öffentlicher Titel").press("Enter")  # saves the draft
    expect(page.locator("#preview-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Entwurf gespeichert. Öffentlich ist noch nichts.")
    assert_accessible(page, "publication form with preview")
    page.context.close()


def test_hidden_content_for_its_author_and_the_review_queue(
    browser: Browser, demo: LiveServer
) -> None:
    with demo.session() as db:
        leipzig = account_for(db, "leipzig")
        moderatorin = account_for(db, "moderatorin")
        assert leipzig is not None and moderatorin is not None
        own = db.scalars(
            select(Vorhaben).where(Vorhaben.author_id == leipzig.id, Vorhaben.hidden_at.is_(None))
        ).first()
        assert own is not None
        own_id = own.id
        reports.decide(
            db, demo.settings, moderatorin, "vorhaben", own_id, "hide", "Bitte ohne Werbung"
        )
        db.commit()
    author = _page(browser, demo, "leipzig")
    author.goto(f"{demo.url}/vorhaben/{own_id}")
    expect(author.get_by_text("Bitte ohne Werbung")).to_be_visible()
    assert_accessible(author, "hidden Vorhaben as its author sees it")
    author.get_by_label("Bitte um Überprüfung (einmal möglich)").fill("Das ist keine Werbung.")
    author.get_by_role("button", name="Überprüfung erbitten").click()
    expect(author.get_by_text("Sie haben um Überprüfung gebeten.")).to_be_visible()
    author.context.close()

    moderator = _page(browser, demo, "moderatorin")
    moderator.goto(f"{demo.url}/moderation/reports")
    expect(moderator.get_by_role("heading", name="Bitten um Überprüfung")).to_be_visible()
    assert_accessible(moderator, "report queue with a review request")
    moderator.context.close()
