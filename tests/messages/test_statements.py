"""Statements the message pages run, however many conversations and messages there are
(the header's unread count rides on the session lookup: no statement of its own)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.messages import blocks, service
from tests import factories
from tests.web.test_statements import counting

PAGES = {
    # the session with both unread counts, the conversations, their participants' names
    "list": ("/nachrichten", 3),
    # the session; the conversation and the reader's place in it; its messages; its
    # participants; whom the reader blocked; the shown messages' files (the read mark is
    # written with the commit)
    "conversation": ("/nachrichten/{conversation}", 7),
    # the session, the chosen recipients, the members found (blocks inside both)
    "new": ("/nachrichten/neu?an={other}&suche=Mit", 3),
    "dashboard": ("/", 6),  # as tests/web/test_statements.py pins it
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_statements_of_the_message_pages(
    client: TestClient, db: Session, engine: Engine, settings: Settings, kind: str
) -> None:
    home = factories.municipality(db, "Zählstadt")
    me = factories.account(db, "Zoe Zähler", municipality=home)
    people = [factories.account(db, f"Mitglied {n}", municipality=home) for n in range(8)]
    first = None
    for number, other in enumerate(people):
        conversation = service.start(db, settings, other, [str(me.id)], f"Hallo {number}")
        service.reply(db, settings, other, conversation.id, "Noch was")
        first = first or conversation
    assert first is not None
    group = service.start(db, settings, me, [str(p.id) for p in people], "An alle")
    for other in people:
        service.reply(db, settings, other, group.id, "Antwort")
    blocks.block(db, me, people[-1].id)
    db.flush()
    factories.login(client, db, me)
    path = PAGES[kind][0].format(conversation=group.id, other=people[0].id)
    client.get(path)
    with counting(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    assert len(statements) <= PAGES[kind][1], "\n\n".join(statements)
