"""In Chromium, with JavaScript and without: direct messages from a profile to a reply, the
header's unread count, reporting a message and blocking its author; axe finds no WCAG 2.1
A/AA violation on any page visited.

An earlier version of this test hung: axe.run() waits on setTimeout, which Chromium never
runs with JavaScript off, and page.evaluate() has no timeout. tests/browser/conftest.py's
run_axe() now polls axe under a deadline. Every wait here is short and explicit: the
contexts' default timeouts, no wait for an idle network (nothing on these pages polls)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from app.messages.models import MessageReport
from tests import factories
from tests.browser.conftest import TIMEOUT_MS, LiveServer, assert_accessible, signed_in_context

UNREAD = re.compile(r"^Nachrichten\s*\(\s*(\d+) ungelesen\)$")


@dataclass
class Pair:
    writer: Page
    reader: Page
    writer_name: str
    reader_name: str
    reader_id: int


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def pair(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Pair]:
    js: bool = request.param
    suffix = "Skript" if js else "Ohneskript"
    with live_server.session() as db:
        writer = factories.account(db, f"Mara {suffix}")
        reader = factories.account(db, f"Nils {suffix}")
        db.commit()
        ids, names = (writer.id, reader.id), (writer.display_name, reader.display_name)
    contexts: list[BrowserContext] = []
    for account_id in ids:
        context = signed_in_context(browser, live_server, account_id, js=js)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
    yield Pair(contexts[0].new_page(), contexts[1].new_page(), *names, ids[1])
    for context in contexts:
        context.close()


def _messages_link(page: Page) -> str:
    """The header's link to the messages, as a screen reader names it."""
    return page.locator("header").get_by_role("link", name=re.compile("^Nachrichten")).inner_text()


def _unread(page: Page) -> int:
    name = " ".join(_messages_link(page).split())
    found = re.search(r"(\d+)", name)
    return int(found.group(1)) if found else 0


def test_write_reply_report_and_block(pair: Pair, live_server: LiveServer) -> None:
    url, writer, reader = live_server.url, pair.writer, pair.reader

    # The writer starts a conversation from the reader's profile.
    writer.goto(f"{url}/nachrichten")
    expect(writer.locator("main")).to_contain_text("Noch keine Nachrichten.")
    assert_accessible(writer, "no messages yet")
    writer.goto(f"{url}/mitglieder/{pair.reader_id}")
    assert_accessible(writer, "a profile")
    writer.get_by_role("link", name="Nachricht schreiben").click()
    expect(writer.get_by_role("checkbox", name=pair.reader_name)).to_be_checked()
    assert_accessible(writer, "a new message")
    writer.locator("main").get_by_role("button", name="Senden").click()  # empty
    expect(writer.locator("[data-error-summary]")).to_be_visible()
    expect(writer.get_by_role("checkbox", name=pair.reader_name)).to_be_checked()  # kept
    assert_accessible(writer, "a new message with an error")
    writer.locator("#field-body").fill("Treffen wir uns zur Müllabfuhr-App?")
    writer.locator("main").get_by_role("button", name="Senden").click()
    expect(writer.locator("main .messages")).to_contain_text("Treffen wir uns zur Müllabfuhr-App?")
    assert_accessible(writer, "a conversation")

    # The reader sees the count in the header, reads and replies.
    reader.goto(f"{url}/")
    assert _unread(reader) == 1
    assert_accessible(reader, "the dashboard with an unread message")
    reader.locator("header").get_by_role("link", name=UNREAD).click()
    expect(reader.locator("main")).to_contain_text("Neu:")
    assert_accessible(reader, "the conversation list with an unread one")
    reader.locator("main").get_by_role("link", name=pair.writer_name).click()
    expect(reader.locator("main .messages")).to_contain_text("Treffen wir uns zur Müllabfuhr-App?")
    assert _unread(reader) == 0  # read now
    reader.locator("#field-body").fill("Gern, nächste Woche.")
    reader.locator("main").get_by_role("button", name="Senden").click()
    expect(reader.locator("main .messages")).to_contain_text("Gern, nächste Woche.")
    writer.goto(f"{url}/nachrichten")
    assert _unread(writer) == 1

    # The reader reports the writer's message ...
    reader.locator("main .messages").get_by_role("link", name="Melden").click()
    expect(reader.get_by_role("heading", name="Nachricht melden")).to_be_visible()
    assert_accessible(reader, "the report form")
    reader.get_by_label("Grund").fill("Werbung ohne Bezug zur Arbeit.")
    reader.locator("main form").get_by_role("button", name="Melden").click()
    expect(reader.locator("main")).to_contain_text("Danke. Die Moderation prüft die Nachricht")
    with live_server.session() as db:
        reports = db.scalars(
            select(MessageReport.text).where(MessageReport.reporter_id == pair.reader_id)
        ).all()
        assert reports == ["Werbung ohne Bezug zur Arbeit."]

    # ... and blocks them: the writer's new messages no longer reach the reader.
    reader.get_by_role("button", name=re.compile(rf"^Sperren\s+{pair.writer_name}$")).click()
    expect(reader.locator("main")).to_contain_text("Das Mitglied ist für Sie gesperrt.")
    expect(reader.locator("main")).to_contain_text(pair.writer_name)
    assert_accessible(reader, "the blocked members")
    writer.locator("main").get_by_role("link", name=pair.reader_name).click()
    writer.locator("#field-body").fill("Noch eine Frage.")
    writer.locator("main").get_by_role("button", name="Senden").click()
    expect(writer.locator("main .messages")).to_contain_text("Noch eine Frage.")
    reader.goto(f"{url}/")
    assert _unread(reader) == 0
    reader.goto(f"{url}/nachrichten")
    reader.locator("main").get_by_role("link", name=pair.writer_name).click()
    expect(reader.locator("main .messages")).to_contain_text("Gern, nächste Woche.")
    expect(reader.locator("main .messages")).not_to_contain_text("Noch eine Frage.")
    expect(reader.get_by_role("button", name=re.compile("^Sperre aufheben"))).to_be_visible()
    assert_accessible(reader, "a conversation with a blocked member")
