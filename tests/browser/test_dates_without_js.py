"""In Chromium with JavaScript off, dates ("Termine") from start to end: add one to a
Vorhaben (with Enter, after an error that keeps what was typed), change it, download it as
.ics, make and revoke the calendar feed address (the feed answers, then no longer), delete
the date; axe finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer, assert_accessible, signed_in_context


@dataclass
class Scene:
    owner_id: int
    vorhaben_id: int


@pytest.fixture(scope="module")
def scene(live_server: LiveServer) -> Scene:
    with live_server.session() as db:
        owner = factories.account(db, "Olaf Ohneskript")
        vorhaben = factories.vorhaben(db, owner, "Barrierefreies Ratsportal")
        found = Scene(owner.id, vorhaben.id)
        db.commit()
    return found


@pytest.fixture
def owner(browser: Browser, live_server: LiveServer, scene: Scene) -> Iterator[Page]:
    context = signed_in_context(browser, live_server, scene.owner_id, js=False)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_dates_without_javascript(
    owner: Page, live_server: LiveServer, scene: Scene, tmp_path: Path
) -> None:
    page, url = owner, live_server.url
    section = page.locator("#termine")

    # Add a date: a wrong link first (the form comes back as typed), then Enter saves it.
    page.goto(f"{url}/vorhaben/{scene.vorhaben_id}")
    expect(section).to_contain_text("Keine anstehenden Termine.")
    assert_accessible(page, "a Vorhaben without dates")
    section.get_by_role("link", name="Termin eintragen").click()
    assert_accessible(page, "the new date form")
    page.get_by_label("Art").select_option("workshop")
    page.get_by_label("Titel").fill("Workshop Barrierefreiheit")
    page.locator("#field-start_date").fill("2027-05-12")
    page.locator("#field-start_time").fill("14:00")
    page.get_by_label("Ort").fill("Rathaus, Raum 2.14")
    page.get_by_label("Link zur Videokonferenz").fill("javascript:alert(1)")
    page.get_by_role("button", name="Speichern").last.click()
    expect(page.locator(".error-summary")).to_contain_text("https://")
    expect(page.get_by_label("Titel")).to_have_value("Workshop Barrierefreiheit")
    expect(page.locator("#field-start_date")).to_have_value("2027-05-12")
    assert_accessible(page, "the date form with an error")
    page.get_by_label("Link zur Videokonferenz").fill("https://meet.example.org/x")
    page.get_by_label("Titel").press("Enter")
    expect(page.locator("main")).to_contain_text("Der Termin wurde eingetragen.")
    expect(section.get_by_role("heading", name="Workshop Barrierefreiheit")).to_be_visible()
    assert_accessible(page, "the Vorhaben with its date")

    # Change it.
    section.get_by_role("link", name=re.compile("^Bearbeiten")).click()
    expect(page.get_by_label("Titel")).to_have_value("Workshop Barrierefreiheit")
    assert_accessible(page, "the edit form of a date")
    page.get_by_label("Titel").fill("Workshop Barrierefreiheit, Teil 2")
    page.get_by_role("button", name="Speichern").last.click()
    expect(page.locator("main")).to_contain_text("Der Termin wurde geändert.")
    expect(section.get_by_role("heading", name="Workshop Barrierefreiheit, Teil 2")).to_be_visible()

    # Download it as .ics.
    with page.expect_download(timeout=TIMEOUT_MS) as downloading:
        section.get_by_role("link", name=re.compile(r"^In den Kalender \(\.ics\)")).click()
    download = downloading.value
    assert re.fullmatch(r"termin-\d+\.ics", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    ics = saved.read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in ics and "SUMMARY:Workshop Barrierefreiheit\\, Teil 2" in ics

    # The calendar feed: a new address, shown once; it answers until it is revoked.
    page.goto(f"{url}/konto")
    assert_accessible(page, "the account page without a calendar address")
    page.get_by_role("button", name="Kalender-Adresse erzeugen").click()
    address = page.get_by_label("Adresse für Ihr Kalenderprogramm")
    expect(address).to_have_value(re.compile(r"/kalender/[A-Za-z0-9_-]{43}\.ics$"))
    assert_accessible(page, "the new calendar address")
    feed = address.input_value()
    answer = page.request.get(feed, timeout=TIMEOUT_MS)
    assert answer.status == 200
    assert "SUMMARY:Workshop Barrierefreiheit\\, Teil 2" in answer.text()  # (iCalendar escapes)
    page.get_by_role("link", name="Zurück zu Mein Konto").click()
    expect(page.get_by_role("button", name="Neue Adresse erzeugen")).to_be_visible()
    assert_accessible(page, "the account page with a calendar address")
    page.get_by_role("button", name="Adresse widerrufen").click()
    expect(page.locator("main")).to_contain_text("Die Kalender-Adresse wurde widerrufen.")
    expect(page.get_by_role("button", name="Kalender-Adresse erzeugen")).to_be_visible()
    assert page.request.get(feed, timeout=TIMEOUT_MS).status == 404

    # Delete the date.
    page.goto(f"{url}/vorhaben/{scene.vorhaben_id}")
    section.get_by_role("button", name=re.compile("^Löschen")).click()
    expect(page.locator("main")).to_contain_text("Der Termin wurde gelöscht.")
    expect(section).to_contain_text("Keine anstehenden Termine.")
    assert_accessible(page, "the Vorhaben after deleting its date")
