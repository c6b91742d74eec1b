"""A thread's reply form comes when asked for: the Vorhaben page links "Antworten" (htmx
puts the form in place; without JavaScript it is a page with the comment it answers), and
a failed reply comes back into its own form with the text kept, not into the form for a
new comment. Only a member who may answer the thread gets the form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.core.clock import utcnow
from app.vorhaben.models import Vorhaben
from tests import factories

HTMX = {"HX-Request": "true"}
TOO_LONG = "Lange Antwort <b>fett</b> " * 500  # over 10,000 characters


@dataclass
class Scene:
    vorhaben_id: int
    top: Comment
    reply: Comment
    reader: factories.Account


@pytest.fixture
def scene(client: TestClient, db: Session) -> Scene:
    home = factories.municipality(db, "Antwortstadt")
    author = factories.account(db, "Anna Autorin", municipality=home)
    vorhaben = factories.vorhaben(db, author, "Offene Fragen", visibility="municipality")
    top = factories.comment(db, author, vorhaben, "Wer misst schon den Pegel?")
    reply = factories.comment(db, author, vorhaben, "Wir!", parent=top)
    reader = factories.account(db, "Rolf Reply", municipality=home)
    factories.login(client, db, reader)
    return Scene(vorhaben.id, top, reply, reader)


def _url(scene: Scene, comment_id: int | None = None) -> str:
    return f"/vorhaben/{scene.vorhaben_id}/kommentare/{comment_id or scene.top.id}/antworten"


def test_the_vorhaben_page_links_the_reply_form_instead_of_holding_it(
    client: TestClient, scene: Scene
) -> None:
    page = client.get(f"/vorhaben/{scene.vorhaben_id}").text
    assert 'name="parent_id"' not in page
    assert f'href="{_url(scene)}" hx-get="{_url(scene)}"' in page
    assert f"{scene.reply.id}/antworten" not in page  # a reply starts no thread


def test_the_reply_form_in_place_and_as_a_page(client: TestClient, scene: Scene) -> None:
    inline = client.get(_url(scene), headers=HTMX)
    assert inline.status_code == 200
    assert "<html" not in inline.text
    assert f'name="parent_id" value="{scene.top.id}"' in inline.text
    assert "data-focus-after-swap" in inline.text

    page = client.get(_url(scene))
    assert page.status_code == 200
    assert "<html" in page.text and "Wer misst schon den Pegel?" in page.text
    assert f'name="parent_id" value="{scene.top.id}"' in page.text


def test_a_reply_sent_from_the_page_joins_the_thread(
    client: TestClient, db: Session, scene: Scene
) -> None:
    token = factories.csrf_token(client, _url(scene))
    response = client.post(
        f"/vorhaben/{scene.vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Wir auch.", "parent_id": str(scene.top.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert db.scalars(select(Comment).where(Comment.body == "Wir auch.")).one().parent_id == (
        scene.top.id
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_failed_reply_comes_back_into_its_own_form(
    client: TestClient, db: Session, scene: Scene, htmx: bool
) -> None:
    token = factories.csrf_token(client, _url(scene))
    response = client.post(
        f"/vorhaben/{scene.vorhaben_id}/comments",
        data={"csrf_token": token, "body": TOO_LONG, "parent_id": str(scene.top.id)},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    text = response.text
    assert f'id="antwort-{scene.top.id}"' in text and "data-error-summary" in text
    assert "Lange Antwort &lt;b&gt;fett&lt;/b&gt;" in text  # kept, escaped
    assert 'name="parent_id"' in text
    assert 'id="field-body"' not in text  # not the form for a new comment
    if htmx:
        assert response.headers["HX-Retarget"] == f"#antwort-{scene.top.id}"
        assert response.headers["HX-Reswap"] == "outerHTML"
    assert db.scalars(select(Comment).where(Comment.parent_id == scene.top.id)).all() == [
        scene.reply
    ]


def test_only_a_thread_the_member_may_answer_has_a_form(
    client: TestClient, db: Session, scene: Scene
) -> None:
    other = factories.vorhaben(db, scene.reader, "Anderes Vorhaben")
    foreign = factories.comment(db, scene.reader, other, "Anderswo")
    assert client.get(_url(scene, scene.reply.id)).status_code == 404  # a reply
    assert client.get(_url(scene, foreign.id)).status_code == 404  # another Vorhaben's
    assert client.get(_url(scene, 999_999)).status_code == 404

    deleted = factories.comment(db, scene.reader, db.get_one(Vorhaben, scene.vorhaben_id))
    deleted.deleted_at = utcnow()
    db.flush()
    assert client.get(_url(scene, deleted.id)).status_code == 404

    stranger = factories.account(db, "Sara Fremd", municipality=factories.municipality(db, "Fern"))
    factories.login(client, db, stranger)
    assert client.get(_url(scene)).status_code == 404  # the Vorhaben is not theirs to see


def test_a_hidden_comment_starts_no_reply_not_even_for_its_author(
    client: TestClient, db: Session, scene: Scene
) -> None:
    # Its author still sees it (with the reason), so only the hidden check keeps the form away.
    db.get_one(Comment, scene.top.id).hidden_at = utcnow()
    db.flush()
    author = db.get_one(Comment, scene.top.id).author_id
    assert author is not None
    factories.login(client, db, db.get_one(factories.Account, author))
    assert client.get(_url(scene)).status_code == 404
    assert _url(scene) not in client.get(f"/vorhaben/{scene.vorhaben_id}").text


def test_no_reply_form_once_the_discussion_is_closed(
    client: TestClient, db: Session, scene: Scene
) -> None:
    db.get_one(Vorhaben, scene.vorhaben_id).locked_at = utcnow() - dt.timedelta(minutes=1)
    db.flush()
    assert client.get(_url(scene)).status_code == 404
    assert "/antworten" not in client.get(f"/vorhaben/{scene.vorhaben_id}").text
