"""Posting and editing comments with htmx (fragments) and as plain forms (redirects)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories

pytestmark = pytest.mark.commits


def _setup(client: TestClient, db: Session) -> tuple[factories.Account, int]:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Diskussion")
    member = factories.account(db, "Mia Mitglied")
    factories.login(client, db, member)
    return member, vorhaben.id


def test_plain_post_redirects_to_the_comment(client: TestClient, db: Session) -> None:
    _member, vorhaben_id = _setup(client, db)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    response = client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Wie lief der **Pilot**?"},
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/vorhaben/{vorhaben_id}#kommentar-")
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert "<strong>Pilot</strong>" in page and "Mia Mitglied" in page


def test_htmx_post_returns_the_thread_fragment(client: TestClient, db: Session) -> None:
    _member, vorhaben_id = _setup(client, db)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    response = client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Per htmx"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "Per htmx" in response.text
    assert "data-focus-after-swap" in response.text


def test_commenting_with_htmx_turns_the_follow_button_too(client: TestClient, db: Session) -> None:
    """Commenting follows the Vorhaben; the button beside the discussion said "Folgen"
    until the page was reloaded."""
    _member, vorhaben_id = _setup(client, db)
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert 'id="follow-form"' in page and ">Folgen</button>" in page
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    response = client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Per htmx"},
        headers={"HX-Request": "true"},
    )
    follow = response.text.split('id="follow-form"')[1].split("</form>")[0]
    assert 'hx-swap-oob="true"' in follow
    assert "Sie folgen – nicht mehr folgen" in follow and 'aria-pressed="true"' in follow


def test_an_empty_comment_keeps_the_page_and_explains(client: TestClient, db: Session) -> None:
    _member, vorhaben_id = _setup(client, db)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    plain = client.post(
        f"/vorhaben/{vorhaben_id}/comments", data={"csrf_token": token, "body": "  "}
    )
    assert plain.status_code == 422 and "Bitte schreiben Sie einen Kommentar" in plain.text
    long_text = "x" * 10_001
    kept = client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": long_text},
        headers={"HX-Request": "true"},
    )
    assert kept.status_code == 422 and long_text in kept.text


def test_edit_and_history_pages(client: TestClient, db: Session) -> None:
    member, vorhaben_id = _setup(client, db)
    vorhaben = db.get(factories.Vorhaben, vorhaben_id)
    assert vorhaben is not None
    comment = factories.comment(db, member, vorhaben, "Vorher")
    token = factories.csrf_token(client, f"/kommentare/{comment.id}/bearbeiten")
    saved = client.post(
        f"/kommentare/{comment.id}/bearbeiten", data={"csrf_token": token, "body": "Nachher"}
    )
    assert saved.status_code == 303
    history = client.get(f"/kommentare/{comment.id}/verlauf").text
    assert "Vorher" in history and "Nachher" in history
    deleted = client.post(f"/kommentare/{comment.id}/loeschen", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert "Dieser Kommentar wurde gelöscht" in client.get(f"/vorhaben/{vorhaben_id}").text
