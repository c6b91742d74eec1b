"""In Chromium: axe finds no WCAG 2.1 A/AA violation on the circle pages: the list, a
circle as its moderator sees it (members, requests, the invitation search), as an invitee
and as a member outside a listed circle, the creation form (also with errors), and the
Vorhaben form offering the circle; a circle moderator approves a request by click."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.circles.models import Circle
from tests.browser.conftest import LiveServer, assert_accessible, persona_context


def _page(browser: Browser, live: LiveServer, persona: str) -> Page:
    return persona_context(browser, live, persona).new_page()


def _circle_ids(live: LiveServer) -> dict[str, int]:
    with live.session() as db:
        return {circle.name: circle.id for circle in db.scalars(select(Circle))}


def test_circle_pages_are_accessible(browser: Browser, demo: LiveServer) -> None:
    # (a visually hidden name after a button's text reads with a space before its colon)
    ids = _circle_ids(demo)
    network, group = ids["CDO-Netzwerk"], ids["AG Open Data"]
    lead = _page(browser, demo, "koeln")
    lead.goto(f"{demo.url}/kreise")
    assert_accessible(lead, "circle list")
    lead.goto(f"{demo.url}/kreise/{network}?q=Sabine")
    expect(lead.locator("h1")).to_have_text("CDO-Netzwerk")
    expect(
        lead.get_by_role("button", name=re.compile(r"^Einladen\s*: Sabine Huber$"))
    ).to_be_visible()
    assert_accessible(lead, "circle page as its moderator, with a member search")
    lead.goto(f"{demo.url}/vorhaben/new")
    expect(lead.get_by_label("Nur der Kreis „CDO-Netzwerk“")).to_be_visible()
    lead.goto(f"{demo.url}/")
    assert_accessible(lead, "dashboard with circles")
    lead.context.close()

    invitee = _page(browser, demo, "muenchen")
    invitee.goto(f"{demo.url}/kreise/{network}")
    assert_accessible(invitee, "circle page as an invitee")
    invitee.goto(f"{demo.url}/kreise/{group}")
    expect(invitee.get_by_role("button", name="Um Aufnahme bitten")).to_be_visible()
    assert_accessible(invitee, "listed circle as a member outside it")
    invitee.context.close()

    staff = _page(browser, demo, "moderatorin")
    staff.goto(f"{demo.url}/kreise/neu")
    assert_accessible(staff, "new circle form")
    staff.get_by_label("Name").fill("AG Hitzeschutz")
    staff.get_by_role("button", name="Kreis anlegen").last.click()
    expect(staff.locator("[data-error-summary]")).to_be_focused()
    expect(staff.get_by_label("Name")).to_have_value("AG Hitzeschutz")
    assert_accessible(staff, "new circle form with errors")
    staff.context.close()


def test_a_circle_moderator_approves_a_request(browser: Browser, demo: LiveServer) -> None:
    group = _circle_ids(demo)["AG Open Data"]
    lead = _page(browser, demo, "jena")
    lead.goto(f"{demo.url}/kreise/{group}")
    lead.get_by_role("button", name=re.compile(r"^Aufnehmen\s*: Jonas Krüger$")).click()
    expect(lead.locator("main")).to_contain_text("Aufgenommen.")
    expect(lead.get_by_role("link", name="Jonas Krüger", exact=True)).to_be_visible()
    lead.context.close()
