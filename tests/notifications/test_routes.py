from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories


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
