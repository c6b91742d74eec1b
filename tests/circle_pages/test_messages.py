"""Messages from a circle's member list: "Nachricht schreiben" to a member and "Nachricht an
die Kreismoderation", only for the circle's members; the conversation, its list entry and
its mails never name the (unlisted) circle."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import MailMode
from app.messages.models import Participant
from app.outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.commits

CIRCLE = "Zirkel Nordlicht"


def test_a_member_writes_to_a_member_and_to_the_circle_moderators(
    client: TestClient, db: Session
) -> None:
    mona = factories.account(db, "Mona Moderiert")
    max_ = factories.account(db, "Max Moderiert")
    mia = factories.account(db, "Mia Mitglied")
    me = factories.account(db, "Ida Ich")
    for person in (mona, max_):
        person.mail_mode = MailMode.IMMEDIATE
    circle = factories.circle(db, CIRCLE, moderators=[mona, max_], members=[mia, me], listed=False)
    factories.login(client, db, me)
    page = client.get(f"/kreise/{circle.id}").text
    assert f'href="/nachrichten/neu?an={mia.id}"' in page
    assert f'href="/nachrichten/neu?an={me.id}"' not in page  # not to oneself
    [link] = re.findall(r'href="(/nachrichten/neu\?[^"]*)">Nachricht an die Kreismoderation', page)
    link = link.replace("&amp;", "&")
    assert sorted(re.findall(r"an=(\d+)", link)) == sorted([str(mona.id), str(max_.id)])
    form = client.get(link).text
    assert "Mona Moderiert" in form and "Max Moderiert" in form and "Nordlicht" not in form
    token = factories.csrf_token(client, "/nachrichten")
    sent = client.post(
        "/nachrichten/neu",
        data={"csrf_token": token, "an": [str(mona.id), str(max_.id)], "body": "Eine Frage"},
    )
    assert sent.status_code == 303
    conversation_id = int(re.findall(r"/nachrichten/(\d+)", sent.headers["location"])[0])
    people = set(
        db.scalars(
            select(Participant.account_id).where(Participant.conversation_id == conversation_id)
        )
    )
    assert people == {me.id, mona.id, max_.id}
    assert "Nordlicht" not in client.get(sent.headers["location"]).text
    assert "Nordlicht" not in client.get("/nachrichten").text
    mails = [
        p
        for p in db.scalars(select(OutboxMessage.payload))
        if p.get("to") in (mona.email, max_.email)
    ]
    assert len(mails) == 2
    assert all("Nordlicht" not in str(mail) for mail in mails)


def test_a_circle_moderator_sees_the_others_not_themselves(client: TestClient, db: Session) -> None:
    mona = factories.account(db, "Mona")
    solo = factories.circle(db, CIRCLE, moderators=[mona], members=[factories.account(db)])
    factories.login(client, db, mona)
    page = client.get(f"/kreise/{solo.id}").text
    assert "Nachricht an die Kreismoderation" not in page  # she is the only one
    assert page.count("Nachricht schreiben") == 1


@pytest.mark.parametrize("listed", [True, False])
def test_outside_the_circle_no_links(client: TestClient, db: Session, listed: bool) -> None:
    mona = factories.account(db, "Mona Moderiert")
    mia = factories.account(db, "Mia Mitglied")
    circle = factories.circle(db, CIRCLE, moderators=[mona], members=[mia], listed=listed)
    factories.login(client, db, factories.account(db))
    response = client.get(f"/kreise/{circle.id}")
    assert response.status_code == (200 if listed else 404)
    assert "/nachrichten/neu" not in response.text
    assert "Nachricht an die Kreismoderation" not in response.text
