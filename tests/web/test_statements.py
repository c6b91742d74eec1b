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
from app.attachments.models import Attachment
from app.circles.models import CircleMembership, CircleRole, MembershipState
from app.config import Settings
from app.dates import service as dates
from app.dates.forms import TerminForm
from app.vorhaben import cooperation
from app.vorhaben.co_editors import VorhabenCoEditor
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
    """A member with interests, notifications, a circle and an invitation to another, and a
    Vorhaben of another municipality with everything its page can show: fields, tags,
    partners, contacts, an AI record, signals (one naming the reader's own Vorhaben), a
    stage change, a thread with replies, a file, a date, and the reader as a co-editor."""
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
    db.add(VorhabenCoEditor(vorhaben_id=vorhaben.id, account_id=me.id))
    mine = factories.vorhaben(db, me, "Mein Vorhaben", fields=["abfall"])
    for number in range(6):
        top = factories.comment(db, colleague, vorhaben, f"Beitrag {number}")
        factories.comment(db, me, vorhaben, f"Antwort {number}", parent=top)
        factories.comment(db, author, mine, f"Frage {number}")
    db.add(
        Attachment(
            vorhaben_id=vorhaben.id,
            comment_id=top.id,
            uploader_id=colleague.id,
            display_name="plan.pdf",
            kind="pdf",
            size=120_000,
            sha256="0" * 64,
            storage_key="zaehl-plan",
        )
    )
    dates.add(db, author, vorhaben.id, TerminForm(title="Treffen", start_date="2099-06-10"))
    cooperation.set_signal(
        db, settings, me, vorhaben.id, "interested", on=True, note="Wir auch", linked_id=mine.id
    )
    cooperation.set_signal(db, settings, author, mine.id, "doing_too", on=True)
    cooperation.set_follow(db, me, vorhaben.id, on=True)
    factories.vorhaben(db, colleague, "Noch eins", fields=["abfall"])
    circle = factories.circle(db, "Zählkreis", members=[me, colleague])
    shared = factories.vorhaben(db, colleague, "Im Kreis", visibility=f"circle:{circle.id}")
    invited = factories.circle(db, "Einladender Kreis", members=[author])
    db.add(
        CircleMembership(
            circle_id=invited.id,
            account_id=me.id,
            role=CircleRole.MEMBER,
            state=MembershipState.INVITED,
        )
    )
    db.flush()
    factories.login(client, db, me)
    return {"vorhaben": vorhaben.id, "home": home.ags, "land": land.id, "in_circle": shared.id}


PAGES = {
    # path (formatted with the reader's scene), the most statements it may run
    "list": ("/vorhaben", 4),
    "sorted list": ("/vorhaben?sort=newest", 4),
    "list by field": ("/vorhaben?field=abfall&stage=idee", 4),
    "list by municipality": ("/vorhaben?municipality={home}", 5),
    "list by Land": ("/vorhaben?land={land}", 5),
    # The Vorhaben with its to-one rows, whether the reader follows and co-edits it, its
    # attachments and dates (JSON columns app.attachments and app.dates hand in); its fields,
    # tags, partners, contacts and stage changes; its signals (with the titles of the
    # Vorhaben they name); its newest threads. The reader's own Vorhaben a signal can name
    # are read when the signal's form opens.
    "Vorhaben page": ("/vorhaben/{vorhaben}", 5),
    "Vorhaben page of a circle": ("/vorhaben/{in_circle}", 5),
    # Loaded after the page; its own text (with description, tags and fields of action) and
    # the candidates' fields, stage and municipality for the ranking take one each.
    "its similar Vorhaben": ("/vorhaben/{vorhaben}/aehnlich", 12),
    # The member's facts (Land, fields of action, first steps, circles and invitations, next
    # dates as JSON), the cards of all lists (Land, fields, circles), their fields and tags,
    # the news on what they follow and the open signals.
    "dashboard": ("/", 5),
}


# What each page must still show (the statements folded, nothing lost).
SHOWN = {
    "Vorhaben page": (
        "plan.pdf",  # a comment's file
        "Treffen",  # its date
        "Bearbeiten",  # the reader co-edits it
        "Mein Vorhaben",  # the reader's Vorhaben the signal names
        "Ein eigenes Vorhaben dazu nennen",  # the signal form's choices, when it opens
    ),
    "Vorhaben page of a circle": ("Nur für den Kreis „Zählkreis“ sichtbar",),
    "dashboard": ("Zählkreis", "Im Kreis", "Einladender Kreis", "Treffen", "Noch eins"),
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
    text = response.text.replace("&#34;", '"')
    assert all(shown in text for shown in SHOWN.get(kind, ())), [
        shown for shown in SHOWN.get(kind, ()) if shown not in text
    ]
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
