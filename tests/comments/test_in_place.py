"""Editing a comment in place: htmx swaps an edit form into the comment and the saved
comment back; without htmx the same URLs are a page and a redirect. Error fragments are
swapped too (htmx 2 drops 4xx answers unless told otherwise)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories

pytestmark = pytest.mark.commits

HTMX = {"HX-Request": "true"}


def _comment(client: TestClient, db: Session) -> tuple[factories.Comment, str]:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Digitale Schulanmeldung")
    author = factories.account(db, "Erika Editor")
    comment = factories.comment(db, author, vorhaben, "Erste Fassung")
    factories.login(client, db, author)
    return comment, factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")


def test_the_edit_link_loads_the_form_in_place(client: TestClient, db: Session) -> None:
    comment, _token = _comment(client, db)
    page = client.get(f"/vorhaben/{comment.vorhaben_id}").text
    assert (
        f'href="/kommentare/{comment.id}/bearbeiten" hx-get="/kommentare/{comment.id}/bearbeiten"'
        f' hx-target="#kommentar-{comment.id}" hx-swap="outerHTML"'
    ) in page
    inline = client.get(f"/kommentare/{comment.id}/bearbeiten", headers=HTMX)
    assert inline.status_code == 200 and "<html" not in inline.text
    assert inline.text.lstrip().startswith(
        f'<article class="comment comment--editing" id="kommentar-{comment.id}"'
    )
    assert f'hx-post="/kommentare/{comment.id}/bearbeiten"' in inline.text
    assert "Erste Fassung</textarea>" in inline.text and "data-focus-after-swap" in inline.text
    assert f'hx-get="/kommentare/{comment.id}"' in inline.text  # cancel swaps the comment back
    full = client.get(f"/kommentare/{comment.id}/bearbeiten")
    assert "<html" in full.text and "hx-post" not in full.text
    assert "Erste Fassung</textarea>" in full.text


def test_saving_in_place_returns_the_comment(client: TestClient, db: Session) -> None:
    comment, token = _comment(client, db)
    saved = client.post(
        f"/kommentare/{comment.id}/bearbeiten",
        data={"csrf_token": token, "body": "Zweite **Fassung**"},
        headers=HTMX,
    )
    assert saved.status_code == 200 and "<html" not in saved.text
    assert saved.text.lstrip().startswith(f'<article class="comment" id="kommentar-{comment.id}"')
    assert "<strong>Fassung</strong>" in saved.text and "data-focus-after-swap" in saved.text
    assert f'href="/kommentare/{comment.id}/verlauf"' in saved.text
    assert "Erste Fassung" in client.get(f"/kommentare/{comment.id}/verlauf").text
    plain = client.post(
        f"/kommentare/{comment.id}/bearbeiten", data={"csrf_token": token, "body": "Dritte"}
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/vorhaben/{comment.vorhaben_id}#kommentar-{comment.id}"


def test_an_empty_edit_comes_back_in_place_with_the_error(client: TestClient, db: Session) -> None:
    comment, token = _comment(client, db)
    inline = client.post(
        f"/kommentare/{comment.id}/bearbeiten",
        data={"csrf_token": token, "body": "   "},
        headers=HTMX,
    )
    assert inline.status_code == 422 and "<html" not in inline.text
    assert "Bitte schreiben Sie einen Kommentar." in inline.text
    assert f'href="#edit-body-{comment.id}"' in inline.text and 'aria-invalid="true"' in inline.text
    assert f'hx-post="/kommentare/{comment.id}/bearbeiten"' in inline.text
    page = client.post(
        f"/kommentare/{comment.id}/bearbeiten", data={"csrf_token": token, "body": ""}
    )
    assert page.status_code == 422 and "<html" in page.text
    assert "Bitte schreiben Sie einen Kommentar." in page.text
    assert "Erste Fassung" in client.get(f"/vorhaben/{comment.vorhaben_id}").text


def test_cancel_shows_the_comment_again(client: TestClient, db: Session) -> None:
    comment, _token = _comment(client, db)
    fragment = client.get(f"/kommentare/{comment.id}", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Erste Fassung" in fragment.text and "Bearbeiten" in fragment.text
    plain = client.get(f"/kommentare/{comment.id}")
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/vorhaben/{comment.vorhaben_id}#kommentar-{comment.id}"


def test_htmx_swaps_validation_errors_but_no_other_error(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    page = client.get("/vorhaben").text
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert match is not None
    rules = json.loads(match.group(1))["responseHandling"]
    first = {
        code: next(rule for rule in rules if re.fullmatch(rule["code"].replace(".", "[0-9]"), code))
        for code in ("204", "422", "403", "500", "200")
    }
    assert first["422"]["swap"] is True and first["200"]["swap"] is True
    assert first["403"]["swap"] is False and first["403"]["error"] is True
    assert first["500"]["swap"] is False and first["204"]["swap"] is False
