"""In Chromium with axe: dates ("Termine") have no WCAG 2.1 A/AA violation — the Vorhaben
page listing them (past ones folded away), the date form also with errors, the dashboard's
"Nächste Termine", the account page's calendar feed section and the page that shows a new
feed address once. (The forms without JavaScript: tests/dates/test_routes.py posts them.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from app.dates import service as dates
from app.dates.forms import TerminForm
from tests import factories
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_context


@dataclass
class Scene:
    owner_id: int
    vorhaben_id: int


@pytest.fixture(scope="module")
def scene(live_server: LiveServer) -> Scene:
    with live_server.session() as db:
        owner = factories.account(db, "Olga Owner")
        vorhaben = factories.vorhaben(db, owner, "Digitales Bürgerportal")
        for title, day in (("Auftakt", "2026-10-01"), ("Workshop Formulare", "2027-03-04")):
            form = TerminForm(kind="workshop", title=title, start_date=day, start_time="10:00")
            form.place, form.link = "Rathaus", "https://meet.example.org/portal"
            dates.add(db, owner, vorhaben.id, form)
        found = Scene(owner.id, vorhaben.id)
        db.commit()
    return found


def _owner(browser: Browser, live: LiveServer, scene: Scene, *, js: bool = True) -> Iterator[Page]:
    context = signed_in_context(browser, live, scene.owner_id, js=js)
    yield context.new_page()
    context.close()


def test_dates_on_the_pages_are_accessible(
    browser: Browser, live_server: LiveServer, scene: Scene
) -> None:
    for page in _owner(browser, live_server, scene):
        page.goto(f"{live_server.url}/vorhaben/{scene.vorhaben_id}")
        section = page.locator("#termine")
        expect(section.get_by_role("heading", name="Workshop Formulare")).to_be_visible()
        expect(section.get_by_text("Vergangene Termine (1)")).to_be_visible()
        expect(section.get_by_role("heading", name="Auftakt")).to_be_hidden()  # folded away
        assert_accessible(page, "the Vorhaben page with its dates")
        section.get_by_role("link", name="Termin eintragen").click()
        page.get_by_label("Titel").fill("Förderfrist Digitalprogramm")
        page.get_by_label("Art").select_option("foerderfrist")
        page.locator("#field-start_date").fill("2027-02-28")
        page.get_by_label("Link zur Videokonferenz").fill("javascript:alert(1)")
        page.get_by_label("Link zur Videokonferenz").press("Enter")
        expect(page.locator(".error-summary")).to_contain_text("https://")
        expect(page.get_by_label("Titel")).to_have_value("Förderfrist Digitalprogramm")
        assert_accessible(page, "the date form with an error")
        page.get_by_label("Link zur Videokonferenz").fill("")
        page.get_by_role("button", name="Speichern").last.click()
        expect(page.locator("#termine")).to_contain_text("Förderfrist Digitalprogramm")
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Nächste Termine")).to_be_visible()
        assert_accessible(page, "the dashboard with the next dates")
        page.goto(f"{live_server.url}/konto")
        page.get_by_role("button", name="Kalender-Adresse erzeugen").click()
        expect(page.get_by_label("Adresse für Ihr Kalenderprogramm")).to_have_value(
            re.compile(r"/kalender/[A-Za-z0-9_-]{43}\.ics$")
        )
        expect(page.get_by_role("heading", name="Ihr Kalender-Abonnement")).to_be_visible()
        assert_accessible(page, "the new calendar address")
        page.goto(f"{live_server.url}/konto")
        page.get_by_role("button", name="Adresse widerrufen").click()
        expect(page.get_by_role("button", name="Kalender-Adresse erzeugen")).to_be_visible()
        assert_accessible(page, "the account page's calendar section")
