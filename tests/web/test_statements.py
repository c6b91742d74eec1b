"""How many SQL statements the busiest pages run: the count is fixed by the code, not by the
machine, so an upper bound is a test (their time is measured in bench/, never here).

A page that reads more than it should (a query per card, per comment, per related row)
fails here long before a benchmark would notice. The bounds are the counts at the time of
writing: the session with the header's unread count (one statement), then the page's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app.account import preferences
from app.config import Settings
from app.vorhaben import cooperation
from app.vorhaben.models import AIRecord, AIUse, FieldOfAction, VorhabenContact, VorhabenPartner
from tests import factories

# Transaction control is not counted (SQLite's BEGIN, the tests' savepoints).
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(TRANSACTION):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.fixture
def reader(client: TestClient, db: Session, settings: Settings) -> dict[str, Any]:
    """A member with interests and notifications, and a Vorhaben of another municipality
    with everything its page can show: fields, tags, partners, contacts, an AI record,
    signals, a stage change, a thread with replies."""
    land = factories.municipality(db, "Zählland", level=factories.Level.LAND, kind_code=None)
    home = factories.municipality(db, "Zählstadt", land=land)
    other = factories.municipality(db, "Nachbarstadt", land=land)
    me = factories.account(db, "Zoe Zähler", municipality=home)
    author = factories.account(db, "Anna Autorin", municipality=other)
    colleague = factories.account(db, "Carl Kollege", municipality=other)
    abfall = db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == "abfall")).one()
    preferences.save(db, me, "immediate", [str(abfall)])
    vorhaben = factories.vorhaben(
        db, author, "Zählbares Vorhaben", tags="eins, zwei", fields=["abfall", "mobilitaet"]
    )
    vorhaben.uses_ai = AIUse.WEAK_AI
    db.add(AIRecord(vorhaben_id=vorhaben.id, purpose="Sortieren"))
    db.add(VorhabenPartner(vorhaben_id=vorhaben.id, municipality_id=home.id))
    db.add(VorhabenContact(vorhaben_id=vorhaben.id, account_id=colleague.id))
    mine = factories.vorhaben(db, me, "Mein Vorhaben", fields=["abfall"])
    for number in range(6):
        top = factories.comment(db, colleague, vorhaben, f"Beitrag {number}")
        factories.comment(db, me, vorhaben, f"Antwort {number}", parent=top)
        factories.comment(db, author, mine, f"Frage {number}")
    cooperation.set_signal(db, settings, me, vorhaben.id, "interested", on=True)
    cooperation.set_signal(db, settings, author, mine.id, "doing_too", on=True)
    cooperation.set_follow(db, me, vorhaben.id, on=True)
    factories.vorhaben(db, colleague, "Noch eins", fields=["abfall"])
    db.flush()
    factories.login(client, db, me)
    return {"vorhaben": vorhaben.id, "home": home.ags, "land": land.id}


PAGES = {
    # path (formatted with the reader's scene), the most statements it may run
    "list": ("/vorhaben", 4),
    "sorted list": ("/vorhaben?sort=newest", 4),
    "list by field": ("/vorhaben?field=abfall&stage=idee", 4),
    "list by municipality": ("/vorhaben?municipality={home}", 5),
    "list by Land": ("/vorhaben?land={land}", 5),
    # Issue 17 asks for at most 5; the features of issues 19 and 20 each added one read, to
    # be folded into the page's statements next: 6th its attachments (app.attachments), 7th
    # the reader's own Vorhaben a signal can point to (cooperation.own_vorhaben), 8th its
    # dates (app.dates), 9th whether the reader is a co-editor (vorhaben.co_editors).
    "Vorhaben page": ("/vorhaben/{vorhaben}", 9),
    # Loaded after the page; its own text (with description, tags and fields of action) and
    # the candidates' fields, stage and municipality for the ranking take one each.
    "its similar Vorhaben": ("/vorhaben/{vorhaben}/aehnlich", 12),
    # 7th: the member's circles and invitations; 8th: the next dates (app.dates).
    "dashboard": ("/", 8),
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_statements_per_page(
    client: TestClient, engine: Engine, reader: dict[str, Any], kind: str
) -> None:
    path, most = PAGES[kind]
    path = path.format(**reader)
    client.get(path)  # anything a first request does once (none is expected) is not counted
    with counting(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    assert len(statements) <= most, "\n\n".join(statements)


def test_statements_of_an_older_page_of_comments(
    client: TestClient, db: Session, engine: Engine
) -> None:
    """The older comments of a long discussion, as the Vorhaben page loads them (htmx) and as
    a page of their own: the session, the Vorhaben (with the visibility rule), its threads
    (and, for the page, whether newer ones follow), the files of its comments; as many however
    deep in the discussion."""
    me = factories.account(db, "Zoe Zähler")
    talker = factories.account(db, "Carl Kollege")
    vorhaben = factories.vorhaben(db, talker, "Lange Diskussion")
    tops = [factories.comment(db, talker, vorhaben, f"Beitrag {number}") for number in range(60)]
    for top in tops[::7]:
        factories.comment(db, me, vorhaben, "Antwort", parent=top)
    db.flush()
    factories.login(client, db, me)
    path = f"/vorhaben/{vorhaben.id}/kommentare?bis={tops[9].id}"
    for headers, most in (({"HX-Request": "true"}, 4), ({}, 5)):
        client.get(path, headers=headers)
        with counting(engine) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200 and 'id="kommentar-' in response.text
        assert len(statements) <= most, "\n\n".join(statements)
