"""In Chromium, issue 19 end to end: a closed CDO network run by its circle moderator.

A site moderator creates an unlisted circle and a listed one and names a circle moderator;
she invites member A, who accepts; member B asks to join the listed circle and she approves;
A posts a Vorhaben only that circle sees (the Vorhaben form, sent with Enter) and opens a
topic; the circle moderator comments and A is notified (the notification in the app, the
header's count). B, outside the unlisted circle, finds none of it: 404 for the circle, the
Vorhaben and the topic, nothing in the lists or the search. Each person browses in a context
of their own; axe finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.accounts.models import Role
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer, assert_accessible, signed_in_context

NETWORK = "CDO-Netzwerk Nord"
GROUP = "AG Offene Daten"
VORHABEN = "Vertrauliche Cloud-Strategie"
TOPIC = "Haushaltsplanung 2027"


@dataclass
class Cast:
    staff: int  # site moderator
    lead: int  # the circle moderator
    a: int
    b: int


@pytest.fixture(scope="module")
def cast(live_server: LiveServer) -> Cast:
    with live_server.session() as db:
        found = Cast(
            staff=factories.account(db, "Sofia Stab", role=Role.MODERATOR).id,
            lead=factories.account(db, "Lena Leitwolf").id,
            a=factories.account(db, "Anton Amsel").id,
            b=factories.account(db, "Berta Buche").id,
        )
        db.commit()
    return found


@pytest.fixture
def people(browser: Browser, live_server: LiveServer, cast: Cast) -> Iterator[dict[str, Page]]:
    contexts: list[BrowserContext] = []
    pages = {}
    for name in ("staff", "lead", "a", "b"):
        context = signed_in_context(browser, live_server, getattr(cast, name))
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        pages[name] = context.new_page()
    yield pages
    for context in contexts:
        context.close()


def _create_circle(page: Page, url: str, name: str, *, listed: bool) -> int:
    page.goto(url + "/kreise/neu")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Beschreibung").fill(f"Austausch im {name}.")
    page.get_by_label("Netzwerk").check()
    page.get_by_label("Für Mitglieder auffindbar").set_checked(listed)  # (checked at first)
    page.get_by_label("Mitglied suchen").fill("Leitwolf")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_label(re.compile("Lena Leitwolf")).check()
    expect(page.get_by_label("Name")).to_have_value(name)  # kept through the search
    assert_accessible(page, "the new circle form with a member search")
    page.get_by_role("button", name="Kreis anlegen").last.click()
    expect(page.locator("main")).to_contain_text("Der Kreis ist angelegt.")
    if listed:
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator("main")).to_contain_text("Für Mitglieder auffindbar")
        assert_accessible(page, "a new listed circle as a site moderator sees it")
    else:  # not hers to read: its settings (it answers her 404)
        expect(page.locator("h1")).to_have_text("Kreis verwalten")
        expect(page.get_by_label("Name")).to_have_value(name)
        expect(page.get_by_label("Für Mitglieder auffindbar")).not_to_be_checked()
        assert_accessible(page, "a new unlisted circle's settings")
    found = re.search(r"/kreise/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def test_a_circle_moderator_runs_a_closed_network(
    people: dict[str, Page], live_server: LiveServer
) -> None:
    url = live_server.url
    staff, lead, a, b = people["staff"], people["lead"], people["a"], people["b"]

    # A site moderator creates the unlisted network and a listed group, both led by Lena.
    network = _create_circle(staff, url, NETWORK, listed=False)
    group = _create_circle(staff, url, GROUP, listed=True)

    # The circle moderator finds A and invites them.
    lead.goto(f"{url}/kreise")
    expect(lead.get_by_role("link", name=NETWORK)).to_be_visible()
    assert_accessible(lead, "the circle list of a circle moderator")
    lead.get_by_role("link", name=NETWORK).click()
    expect(lead.locator("main")).to_contain_text("Sie moderieren diesen Kreis")
    lead.get_by_label("Mitglied suchen").fill("Amsel")
    lead.get_by_role("button", name="Suchen").click()
    assert_accessible(lead, "the circle page with a member search")
    lead.get_by_role("button", name=re.compile(r"^Einladen\s*: Anton Amsel$")).click()
    expect(lead.locator("main")).to_contain_text("Die Einladung ist verschickt.")
    expect(lead.locator("main")).to_contain_text("Eingeladen, noch ohne Antwort:")
    assert_accessible(lead, "the circle page with an open invitation")

    # A accepts the invitation.
    a.goto(f"{url}/kreise")
    assert_accessible(a, "the circle list with an invitation")
    a.get_by_role("link", name=NETWORK).click()
    expect(a.locator("main")).to_contain_text("Sie sind in diesen Kreis eingeladen.")
    assert_accessible(a, "an invitation")
    a.get_by_role("button", name="Einladung annehmen").click()
    expect(a.locator("main")).to_contain_text("Willkommen im Kreis.")
    expect(a.get_by_role("heading", name="Vorhaben im Kreis")).to_be_visible()
    assert_accessible(a, "the circle as a new member sees it")

    # B asks to join the listed group; the circle moderator approves.
    b.goto(f"{url}/kreise")
    expect(b.get_by_role("link", name=NETWORK)).to_have_count(0)
    b.get_by_role("link", name=GROUP).click()
    assert_accessible(b, "a listed circle seen from outside")
    b.get_by_role("button", name="Um Aufnahme bitten").click()
    expect(b.locator("main")).to_contain_text("Ihre Anfrage ist gestellt.")
    assert_accessible(b, "a pending request")
    lead.goto(f"{url}/kreise/{group}")
    lead.get_by_role("button", name=re.compile(r"^Aufnehmen\s*: Berta Buche$")).click()
    expect(lead.locator("main")).to_contain_text("Aufgenommen.")
    expect(lead.get_by_role("link", name="Berta Buche", exact=True)).to_be_visible()
    assert_accessible(lead, "the listed circle after approving a request")
    b.goto(f"{url}/kreise/{group}")
    expect(b.get_by_role("heading", name="Vorhaben im Kreis")).to_be_visible()

    # A posts a Vorhaben only the network sees, sending the form with Enter.
    a.goto(f"{url}/kreise/{network}")
    a.get_by_role("link", name="Neues Vorhaben für diesen Kreis").click()
    expect(a.get_by_label(f"Nur der Kreis „{NETWORK}“")).to_be_checked()
    assert_accessible(a, "the Vorhaben form for a circle")
    a.locator("#field-title").fill(VORHABEN)
    a.locator("#field-summary").fill("Welche Dienste wir gemeinsam auslagern.")
    a.locator("#field-title").press("Enter")
    expect(a.locator("h1")).to_have_text(VORHABEN)
    expect(a.locator("main")).to_contain_text("Ihr Vorhaben ist angelegt.")
    assert_accessible(a, "a circle's Vorhaben")
    vorhaben_path = a.url.removeprefix(url)
    assert re.fullmatch(r"/vorhaben/\d+", vorhaben_path), a.url

    # A opens a topic (by click); the circle moderator comments on it.
    a.goto(f"{url}/kreise/{network}")
    expect(a.get_by_role("link", name=VORHABEN)).to_be_visible()
    a.get_by_role("link", name="Neues Thema").click()
    assert_accessible(a, "the new topic form")
    a.get_by_label("Titel").fill(TOPIC)
    a.get_by_label("Worum geht es?").fill("Wer plant welche Mittel für die Cloud ein?")
    a.get_by_role("button", name="Thema eröffnen").click()
    expect(a.locator("main")).to_contain_text("Das Thema ist eröffnet.")
    expect(a.locator("h1")).to_have_text(TOPIC)
    assert_accessible(a, "a new topic")
    topic_path = a.url.removeprefix(url)
    assert re.fullmatch(rf"/kreise/{network}/themen/\d+", topic_path), a.url

    lead.goto(f"{url}/kreise/{network}")
    lead.get_by_role("link", name=TOPIC).click()
    lead.get_by_label("Ihr Kommentar").fill("Wir haben 40.000 Euro eingeplant.")
    lead.get_by_role("button", name="Kommentieren").click()
    expect(lead.locator("#kommentare")).to_contain_text("Wir haben 40.000 Euro eingeplant.")
    assert_accessible(lead, "a topic with a comment")

    # A is notified: the header counts it, the list names it, its link leads to the comment.
    a.goto(f"{url}/")
    header_link = a.get_by_role(
        "link", name=re.compile(r"^Benachrichtigungen\s*\(\s*1 ungelesen\)$")
    )
    expect(header_link).to_be_visible()
    assert_accessible(a, "the dashboard with an unread notification")
    header_link.click()
    expect(a.locator("main")).to_contain_text(
        f"Lena Leitwolf hat im Thema „{TOPIC}“ im Kreis „{NETWORK}“ kommentiert."
    )
    assert_accessible(a, "the notifications")
    a.get_by_role("link", name="Ansehen").first.click()
    expect(a.locator("#kommentare")).to_contain_text("Wir haben 40.000 Euro eingeplant.")
    a.goto(f"{url}/suche?q=Cloud-Strategie")
    expect(a.locator("main").get_by_role("link", name=VORHABEN)).to_be_visible()

    # B, outside the network, finds nothing of it.
    for path in (f"/kreise/{network}", vorhaben_path, topic_path):
        response = b.goto(url + path)
        assert response is not None and response.status == 404, path
        expect(b.locator("main")).not_to_contain_text(VORHABEN)
        expect(b.locator("main")).not_to_contain_text(TOPIC)
    assert_accessible(b, "the 404 page")
    for path in (
        "/kreise",
        "/vorhaben",
        "/",
        "/suche?q=Cloud-Strategie",
        "/suche?q=Haushaltsplanung",
    ):
        b.goto(url + path)
        expect(b.locator("main")).not_to_contain_text(VORHABEN)
        expect(b.locator("main")).not_to_contain_text(NETWORK)
        expect(b.locator("main")).not_to_contain_text(TOPIC)
    assert_accessible(b, "the search without the network's Vorhaben")
