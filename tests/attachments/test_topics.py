"""Files on a circle's topic: its author attaches them on the topic's page (the same checks
and limits as a Vorhaben's files); only the circle's active members download them (404 for
someone outside, a pending join request, a member who left); deleting the topic deletes
them; and they never reach the export (only a Vorhaben's own files can be published)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import published
from app.attachments.models import Attachment
from app.circles import service as circles
from app.circles.models import Circle, CircleMembership, MembershipState, Topic
from app.comments.models import Comment
from app.topics import service as topics
from tests import factories
from tests.attachments import samples

LIMIT = 300_000


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "attachment_dir": str(tmp_path / "anhaenge"),
        "attachment_max_file_bytes": LIMIT,
        "attachment_max_vorhaben_bytes": 2 * LIMIT,
    }


def _scene(db: Session) -> tuple[Circle, Topic, factories.Account, factories.Account]:
    author = factories.account(db, "Tina Thema")
    member = factories.account(db, "Mia Mitglied")
    circle = factories.circle(db, "AG Akten", moderators=[author], members=[member])
    topic = topics.create(db, author, circle.id, "Aktenplan", "Der Entwurf hängt an.")
    return circle, topic, author, member


def _upload(client: TestClient, topic: Topic, name: str, data: bytes) -> Response:
    address = f"/kreise/{topic.circle_id}/themen/{topic.id}"
    token = factories.csrf_token(client, "/kreise")
    return client.post(
        f"{address}/anhaenge",
        data={"csrf_token": token},
        files={"datei": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def test_the_topics_author_attaches_a_file_that_members_download(
    client: TestClient, db: Session
) -> None:
    circle, topic, author, member = _scene(db)
    address = f"/kreise/{circle.id}/themen/{topic.id}"
    factories.login(client, db, author)
    assert f'action="{address}/anhaenge"' in client.get(address).text
    response = _upload(client, topic, "aktenplan.pdf", samples.PDF)
    assert response.status_code == 303
    assert response.headers["location"] == f"{address}#anhaenge"
    attachment = db.scalars(select(Attachment)).one()
    assert (attachment.topic_id, attachment.vorhaben_id) == (topic.id, None)
    # A member sees and downloads it, but neither uploads nor deletes.
    factories.login(client, db, member)
    page = client.get(address).text
    assert f'href="/anhaenge/{attachment.id}"' in page
    assert f'action="{address}/anhaenge"' not in page
    assert f'action="/anhaenge/{attachment.id}/loeschen"' not in page
    download = client.get(f"/anhaenge/{attachment.id}")
    assert download.status_code == 200 and download.content == samples.PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert _upload(client, topic, "noch.pdf", samples.PDF).status_code == 403
    token = factories.csrf_token(client, "/kreise")
    denied = client.post(f"/anhaenge/{attachment.id}/loeschen", data={"csrf_token": token})
    assert denied.status_code == 403
    # The same checks as everywhere: a disguised page is refused, with a clear message.
    factories.login(client, db, author)
    refused = _upload(client, topic, "bild.pdf", samples.HTML)
    assert refused.status_code == 303
    assert "HTML- und XML-Dateien werden nicht angenommen." in client.get(address).text
    assert len(db.scalars(select(Attachment)).all()) == 1
    # The author deletes it; back to the topic.
    token = factories.csrf_token(client, "/kreise")
    gone = client.post(
        f"/anhaenge/{attachment.id}/loeschen", data={"csrf_token": token}, follow_redirects=False
    )
    assert gone.headers["location"] == f"{address}#anhaenge"
    assert db.scalars(select(Attachment)).all() == []


@pytest.mark.parametrize("who", ["outsider", "requested", "former", "anonymous"])
def test_nobody_outside_the_circle_downloads_a_topics_file(
    client: TestClient, db: Session, who: str
) -> None:
    circle, topic, author, member = _scene(db)
    factories.login(client, db, author)
    assert _upload(client, topic, "aktenplan.pdf", samples.PDF).status_code == 303
    attachment = db.scalars(select(Attachment)).one()
    outsider = factories.account(db, "Otto Outsider")
    if who == "requested":
        db.add(
            CircleMembership(
                circle_id=circle.id, account_id=outsider.id, state=MembershipState.REQUESTED
            )
        )
    client.cookies.clear()
    if who == "former":
        circles.leave(db, member, circle)
    if who != "anonymous":
        factories.login(client, db, member if who == "former" else outsider)
    for path in (f"/anhaenge/{attachment.id}", f"/anhaenge/{attachment.id}/vorschau"):
        response = client.get(path, follow_redirects=False)
        assert samples.PDF not in response.content
        if who == "anonymous":
            assert response.status_code in (302, 303)
        else:
            assert response.status_code == 404, path
    if who != "anonymous":
        assert _upload(client, topic, "x.pdf", samples.PDF).status_code == 404
        assert len(db.scalars(select(Attachment)).all()) == 1


def test_a_topics_files_go_with_it_and_never_reach_the_export(
    client: TestClient, db: Session
) -> None:
    _circle, topic, author, _member = _scene(db)
    factories.login(client, db, author)
    assert _upload(client, topic, "aktenplan.pdf", samples.PDF).status_code == 303
    assert _upload(client, topic, "zahlen.csv", samples.CSV).status_code == 303
    assert len(db.scalars(select(Attachment)).all()) == 2
    # The export reads a Vorhaben's own files only; a topic's have no Vorhaben.
    vorhaben = factories.vorhaben(db, author, "Offen")
    assert published.own_files(db, vorhaben.id) == []
    db.delete(topic)
    db.flush()
    assert db.scalars(select(Attachment)).all() == []


def test_a_topic_has_the_same_limit_as_a_vorhaben(client: TestClient, db: Session) -> None:
    _circle, topic, author, _member = _scene(db)
    factories.login(client, db, author)
    big = samples.PDF + b"0" * (LIMIT - len(samples.PDF) - 10)
    assert _upload(client, topic, "eins.pdf", big).status_code == 303
    assert _upload(client, topic, "zwei.pdf", big).status_code == 303
    assert _upload(client, topic, "drei.pdf", big).status_code == 303
    assert len(db.scalars(select(Attachment)).all()) == 2
    page = client.get(f"/kreise/{topic.circle_id}/themen/{topic.id}").text
    assert "Für dieses Thema ist kein Platz mehr" in page


def _comment(client: TestClient, topic: Topic, body: str, name: str, data: bytes) -> Response:
    address = f"/kreise/{topic.circle_id}/themen/{topic.id}"
    token = factories.csrf_token(client, address)
    return client.post(
        f"{address}/kommentare",
        data={"csrf_token": token, "body": body},
        files={"datei": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def test_a_member_comments_on_a_topic_with_a_file(client: TestClient, db: Session) -> None:
    circle, topic, author, member = _scene(db)
    address = f"/kreise/{circle.id}/themen/{topic.id}"
    factories.login(client, db, member)
    form = client.get(address).text
    assert 'enctype="multipart/form-data"' in form and 'name="datei"' in form
    response = _comment(
        client, topic, "Meine Anmerkungen hängen an.", "anmerkungen.pdf", samples.PDF
    )
    assert response.status_code == 303
    attachment = db.scalars(select(Attachment)).one()
    assert (attachment.topic_id, attachment.vorhaben_id) == (topic.id, None)
    assert attachment.comment_id is not None
    # Shown under the comment, downloaded by another member of the circle.
    factories.login(client, db, author)
    page = client.get(address).text
    assert f'href="/anhaenge/{attachment.id}"' in page
    assert page.index("Meine Anmerkungen") < page.index(f'href="/anhaenge/{attachment.id}"')
    assert client.get(f"/anhaenge/{attachment.id}").content == samples.PDF
    # Outside the circle: 404.
    outsider = factories.account(db, "Otto Außen")
    factories.login(client, db, outsider)
    assert client.get(f"/anhaenge/{attachment.id}").status_code == 404


def test_a_refused_file_keeps_the_comment_text_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    _circle, topic, _author, member = _scene(db)
    factories.login(client, db, member)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = _comment(client, topic, "Text, der bleibt.", "bild.png", svg)
    assert response.status_code == 422
    assert "Text, der bleibt." in response.text
    assert 'id="error-datei"' in response.text and 'aria-invalid="true"' in response.text
    assert db.scalars(select(Attachment)).first() is None
    assert "Text, der bleibt." not in "".join(
        db.scalars(select(Comment.body).where(Comment.topic_id == topic.id))
    )
    too_big = _comment(client, topic, "Zu groß.", "gross.pdf", samples.PDF + b"%" * LIMIT)
    assert too_big.status_code == 422 and "Zu groß." in too_big.text
    assert db.scalars(select(Comment).where(Comment.topic_id == topic.id)).first() is None
