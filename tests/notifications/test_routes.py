from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.commits


def test_list_unread_badge_and_mark_read(client: TestClient, db: Session) -> None:
    owner = factories.account(db, "Olga")
    vorhaben = factories.vorhaben(db, owner, "Badge")
    factories.comment(db, factories.account(db, "Kai"), vorhaben, "Neuigkeit")
    factories.login(client, db, owner)
    page = client.get("/benachrichtigungen")
    assert "Kai hat „Badge“ kommentiert." in page.text
    assert 'class="badge-count"' in page.text
    token = factories.csrf_token(client, "/benachrichtigungen")
    assert client.post("/benachrichtigungen/gelesen", data={"csrf_token": token}).status_code == 303
    assert 'class="badge-count"' not in client.get("/benachrichtigungen").text


def test_preferences_change_mail_mode_and_interests(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/konto")
    response = client.post(
        "/konto/einstellungen",
        data={"csrf_token": token, "mail_mode": "digest", "interests": ["1", "2", "abc"]},
    )
    assert response.status_code == 303
    db.refresh(member)
    assert member.mail_mode.value == "digest"
    bad = client.post("/konto/einstellungen", data={"csrf_token": token, "mail_mode": "fax"})
    assert bad.status_code == 422


def test_the_list_pages_by_keyset_without_gaps(client: TestClient, db: Session) -> None:

    owner = factories.account(db, "Olga")
    vorhaben = factories.vorhaben(db, owner, "Vielgefragt")
    commenter = factories.account(db, "Kai")
    for number in range(53):
        factories.comment(db, commenter, vorhaben, f"Frage Nummer {number:02d}")
    # Two at the very same moment: the id breaks the tie, so neither is skipped.
    rows = db.scalars(select(Notification).order_by(Notification.id)).all()
    rows[0].created_at = rows[1].created_at = rows[2].created_at - dt.timedelta(seconds=1)
    db.flush()
    factories.login(client, db, owner)
    seen: list[str] = []
    url = "/benachrichtigungen"
    pages = 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen += re.findall(r"Frage Nummer (\d\d)", page.text)
        pages += 1
        more = re.search(r'href="(/benachrichtigungen\?after=[^"]+)" rel="next"', page.text)
        url = more.group(1).replace("&amp;", "&") if more else ""
    assert pages == 2
    assert sorted(seen) == [f"{number:02d}" for number in range(53)]
    assert len(seen) == len(set(seen))
    assert "Keine älteren" not in page.text and 'href="/benachrichtigungen">Neueste' in page.text
    assert client.get("/benachrichtigungen?after=kaputt").status_code == 400
