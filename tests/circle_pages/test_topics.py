"""Topics in the browser: a circle member opens one from the circle page (a plain POST
behind CSRF, the text kept on error), the circle page lists it, and nobody outside the
circle reaches any of it (the leak replay for topics)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.circles import service as circles
from app.circles.models import Topic
from app.comments import topic_comments
from app.comments.models import Comment
from app.topics import service as topics
from tests import factories

SECRET_TITLE = "Geheimrunde Glasfaser"
SECRET_TEXT = "Vertrauliche Ausbauzahlen"


def _words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_a_member_opens_a_topic_from_the_circle_page(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    insider = factories.account(db, "Ines Insider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[insider])
    factories.login(client, db, insider)
    page = client.get(f"/kreise/{circle.id}")
    assert f'href="/kreise/{circle.id}/themen/neu"' in page.text
    token = factories.csrf_token(client, f"/kreise/{circle.id}/themen/neu")
    # Without the token: refused, nothing written.
    refused = client.post(f"/kreise/{circle.id}/themen/neu", data={"title": "T", "body": "B"})
    assert refused.status_code == 403
    # An error keeps what was typed.
    bad = client.post(
        f"/kreise/{circle.id}/themen/neu",
        data={"csrf_token": token, "title": "", "body": "Mein **Text**"},
    )
    assert bad.status_code == 422
    assert "Mein **Text**" in bad.text and "Bitte geben Sie einen Titel an." in bad.text
    made = client.post(
        f"/kreise/{circle.id}/themen/neu",
        data={"csrf_token": token, "title": SECRET_TITLE, "body": "Mein **Text**"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    topic = db.query(Topic).one()
    assert made.headers["location"] == f"/kreise/{circle.id}/themen/{topic.id}"
    shown = client.get(made.headers["location"])
    assert shown.status_code == 200
    assert SECRET_TITLE in shown.text and "<strong>Text</strong>" in shown.text
    factories.login(client, db, lead)
    listed = client.get(f"/kreise/{circle.id}")
    assert f'href="/kreise/{circle.id}/themen/{topic.id}"' in listed.text
    assert SECRET_TITLE in listed.text


def test_hostile_text_in_a_topic_is_rendered_as_text(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    circle = factories.circle(db, "Runde", moderators=[lead])
    topic = topics.create(
        db,
        lead,
        circle.id,
        '<script>alert("t")</script><img src=x onerror=alert(1)>',
        '<script>alert("b")</script>[x](javascript:alert(2)) <b onclick="x()">fett</b>',
    )
    factories.login(client, db, lead)
    for path in (f"/kreise/{circle.id}", f"/kreise/{circle.id}/themen/{topic.id}"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(" in html, path  # shown as the text it is
    html = client.get(f"/kreise/{circle.id}/themen/{topic.id}").text
    assert 'href="javascript:' not in html and "<b onclick" not in html


@pytest.mark.parametrize("who", ["outsider", "former", "applicant", "anonymous"])
def test_nobody_outside_the_circle_reaches_a_topic(
    client: TestClient, db: Session, who: str
) -> None:
    lead = factories.account(db, "Lea Lead")
    former = factories.account(db, "Fritz Former")
    outsider = factories.account(db, "Otto Outsider")
    applicant = factories.account(db, "Anton Antrag", state=factories.AccountState.PENDING)
    town = factories.municipality(db, "Antragstadt")
    factories.application(db, applicant, town)
    listed = factories.circle(db, "Offene Runde", moderators=[lead], members=[former])
    unlisted = factories.circle(db, "Stille Runde", moderators=[lead], listed=False)
    shown = topics.create(db, lead, listed.id, SECRET_TITLE, SECRET_TEXT)
    hidden = topics.create(db, lead, unlisted.id, SECRET_TITLE + " 2", SECRET_TEXT)
    said = topic_comments.post(db, lead, shown.id, listed.id, "Geheimrunde: Ausbauzahlen folgen")
    addresses = [
        f"/kreise/{listed.id}",
        f"/kreise/{listed.id}/themen/{shown.id}",
        f"/kreise/{listed.id}/themen/neu",
        f"/kreise/{unlisted.id}/themen/{hidden.id}",
        f"/kreise/{unlisted.id}/themen/neu",
        f"/kreise/{listed.id}/themen/{hidden.id}",  # a topic of another circle
        f"/kommentare/{said.id}",
        f"/kommentare/{said.id}/verlauf",
        f"/kommentare/{said.id}/melden",
        "/",
        "/suche?q=geheimrunde",  # topics are not in the search index
        "/benachrichtigungen",
    ]
    # The positive control: the circle's moderator reaches each topic.
    factories.login(client, db, lead)
    assert SECRET_TITLE in client.get(addresses[1]).text
    assert SECRET_TEXT in client.get(addresses[3]).text
    client.cookies.clear()
    if who == "former":
        circles.leave(db, former, listed)
    if who != "anonymous":
        factories.login(client, db, {"outsider": outsider, "former": former}.get(who, applicant))
    for path in addresses:
        response = client.get(path, follow_redirects=False)
        text = _words(response.text)
        assert "Geheimrunde" not in text and "Ausbauzahlen" not in text, f"{path} as {who}"
        if who == "anonymous":
            assert response.status_code in (302, 303), path
            assert "/login" in response.headers["location"], path
        elif who == "applicant":
            assert response.status_code in (302, 303, 403, 404), path
        elif "/themen/" in path or "/kommentare/" in path:
            assert response.status_code == 404, f"{path} as {who}"
    # POSTing a topic into a circle one is not in writes nothing.
    if who in ("outsider", "former"):
        token = factories.csrf_token(client, "/kreise")
        answer = client.post(
            f"/kreise/{listed.id}/themen/neu",
            data={"csrf_token": token, "title": "Eindringling", "body": "x"},
        )
        assert answer.status_code == 404
        assert db.query(Topic).filter(Topic.title == "Eindringling").count() == 0


def test_members_discuss_a_topic_and_outsiders_cannot(client: TestClient, db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    insider = factories.account(db, "Ines Insider")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[insider])
    topic = topics.create(db, lead, circle.id, "Datenstrategie", "Wer macht mit?")
    address = f"/kreise/{circle.id}/themen/{topic.id}"
    factories.login(client, db, insider)
    token = factories.csrf_token(client, address)
    empty = client.post(f"{address}/kommentare", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "Bitte schreiben Sie einen Kommentar." in empty.text
    posted = client.post(
        f"{address}/kommentare",
        data={"csrf_token": token, "body": f"{SECRET_TEXT} <script>x()</script>"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    comment = db.query(Comment).filter(Comment.topic_id == topic.id).one()
    assert comment.vorhaben_id is None
    assert posted.headers["location"] == f"{address}#kommentar-{comment.id}"
    page = client.get(address).text
    assert SECRET_TEXT in page and "<script>x()" not in page
    # The comment addresses serve a topic's comment to the circle's members as a
    # Vorhaben's (tests/comments/test_topic_comments.py): its place, its edit form, its
    # report form.
    assert client.get(f"/kommentare/{comment.id}").headers["location"] == (
        f"{address}#kommentar-{comment.id}"
    )
    assert client.get(f"/kommentare/{comment.id}/bearbeiten").status_code == 200
    assert client.get(f"/kommentare/{comment.id}/verlauf").status_code == 200
    assert client.get(f"/kommentare/{comment.id}/melden").status_code == 200
    # Outside the circle: no page, no comment written.
    factories.login(client, db, outsider)
    assert client.get(address).status_code == 404
    token = factories.csrf_token(client, "/kreise")
    refused = client.post(f"{address}/kommentare", data={"csrf_token": token, "body": "Hallo"})
    assert refused.status_code == 404
    assert db.query(Comment).filter(Comment.topic_id == topic.id).count() == 1
    assert client.get(f"/kommentare/{comment.id}/verlauf").status_code == 404
    assert client.get(f"/kommentare/{comment.id}/melden").status_code == 404


def test_a_comment_belongs_to_a_vorhaben_or_a_topic(db: Session) -> None:
    lead = factories.account(db, "Lea Lead")
    circle = factories.circle(db, "Runde", moderators=[lead])
    topic = topics.create(db, lead, circle.id, "Thema", "Text")
    vorhaben = factories.vorhaben(db, lead, "Ein Vorhaben")
    for vorhaben_id, topic_id in ((None, None), (vorhaben.id, topic.id)):
        with db.begin_nested():
            db.add(Comment(vorhaben_id=vorhaben_id, topic_id=topic_id, body="x", body_html="x"))
            with pytest.raises(IntegrityError):
                db.flush()
