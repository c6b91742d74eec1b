"""Unread conversations on the notifications page ("Neue Nachricht von …"): only the
reader's, by the header count's rule, and no statement at all without unread messages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.config import Settings
from app.messages import blocks, moderation, service
from tests import factories
from tests.web.test_statements import counting

pytestmark = pytest.mark.commits

PAGE = "/benachrichtigungen"


def _section(page: str) -> str:
    if 'id="neue-nachrichten"' not in page:
        return ""
    return page.split('id="neue-nachrichten"')[1].split("</section>", maxsplit=1)[0]


def test_unread_conversations_link_to_the_conversation(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna Absender")
    carl = factories.account(db, "Carl Zweiter")
    ben = factories.account(db, "Ben Leser")
    pair = service.start(db, settings, anna, [str(ben.id)], "Hallo Ben")
    group = service.start(db, settings, anna, [str(ben.id), str(carl.id)], "An euch")
    service.reply(db, settings, carl, group.id, "Ich auch")
    factories.login(client, db, ben)
    section = _section(client.get(PAGE).text)
    assert f'href="/nachrichten/{pair.id}">Eine neue Nachricht von Anna Absender</a>' in section
    assert f'href="/nachrichten/{group.id}">2 neue Nachrichten von' in section
    assert "Carl Zweiter, Anna Absender" in section  # the newest writer first
    assert "Hallo Ben" not in section  # names, never the words
    client.get(f"/nachrichten/{pair.id}")  # read: gone from the page
    section = _section(client.get(PAGE).text)
    assert f"/nachrichten/{pair.id}" not in section and f"/nachrichten/{group.id}" in section
    client.get(f"/nachrichten/{group.id}")
    page = client.get(PAGE).text
    assert _section(page) == "" and "Keine Benachrichtigungen" in page


@pytest.mark.parametrize("who", ["writer", "outsider", "moderator"])
def test_nobody_else_sees_them(
    client: TestClient, db: Session, settings: Settings, who: str
) -> None:
    anna = factories.account(db, "Anna Geheim")
    ben = factories.account(db, "Ben Geheim")
    service.start(db, settings, anna, [str(ben.id)], "Hallo")
    visitor = {
        "writer": anna,
        "outsider": factories.account(db),
        "moderator": factories.account(db, role=Role.MODERATOR),
    }[who]
    factories.login(client, db, visitor)
    page = client.get(PAGE).text
    assert _section(page) == ""
    assert ("Anna Geheim" if who != "writer" else "Ben Geheim") not in page


def test_hidden_and_blocked_messages_are_not_listed(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    moderator = factories.account(db, role=Role.MODERATOR)
    conversation = service.start(db, settings, anna, [str(ben.id)], "Erste")
    service.read(db, ben, conversation.id)
    message = service.reply(db, settings, anna, conversation.id, "Unangebracht")
    entry = moderation.report(db, ben, message.id, "")
    moderation.decide(db, moderator, entry.id, "hide", "Beleidigung")
    factories.login(client, db, ben)
    assert _section(client.get(PAGE).text) == ""
    blocks.block(db, ben, anna.id)
    db.flush()
    service.reply(db, settings, anna, conversation.id, "Nach der Sperre")
    assert _section(client.get(PAGE).text) == ""


def test_a_writers_name_is_text(client: TestClient, db: Session, settings: Settings) -> None:
    anna = factories.account(db, "<b>Anna</b>")
    ben = factories.account(db)
    service.start(db, settings, anna, [str(ben.id)], "Hallo")
    factories.login(client, db, ben)
    section = _section(client.get(PAGE).text)
    assert "&lt;b&gt;Anna&lt;/b&gt;" in section and "<b>Anna" not in section


def test_statements_only_with_unread_messages(
    client: TestClient, db: Session, engine: Engine, settings: Settings
) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    factories.login(client, db, ben)
    client.get(PAGE)
    with counting(engine) as before:
        client.get(PAGE)
    for number in range(5):
        other = factories.account(db)
        conversation = service.start(db, settings, other, [str(ben.id)], f"Hallo {number}")
        service.reply(db, settings, other, conversation.id, "Noch was")
    service.start(db, settings, anna, [str(ben.id)], "Und ich")
    db.flush()
    with counting(engine) as after:
        page = client.get(PAGE).text
    assert _section(page).count('href="/nachrichten/') == 6
    # The session lookup carries the count; the list is one statement of its own.
    assert len(after) == len(before) + 1, "\n\n".join(after)
