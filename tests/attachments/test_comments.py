"""A file in the comment form (multipart, with and without htmx): checked before the
comment is written, an error keeps the typed text, the file shows under its comment."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments.models import Attachment
from app.comments.models import Comment
from tests import factories
from tests.attachments import samples

pytestmark = pytest.mark.commits

LIMIT = 200_000


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "attachment_dir": str(tmp_path / "anhaenge"),
        "attachment_max_file_bytes": LIMIT,
        "attachment_max_vorhaben_bytes": LIMIT + 10_000,
    }


def _member_on_vorhaben(client: TestClient, db: Session) -> int:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Diskussion mit Dateien")
    factories.login(client, db, factories.account(db, "Mia Mitglied"))
    return vorhaben.id


def _post(
    client: TestClient, vorhaben_id: int, body: str, file: tuple[str, bytes] | None, **headers: str
) -> Response:
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    return client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": body},
        files={"datei": (*file, "application/octet-stream")} if file else {"datei": ("", b"")},
        headers=headers,
    )


def test_a_comment_carries_a_file_shown_beneath_it(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert 'enctype="multipart/form-data"' in page and 'name="datei"' in page
    response = _post(client, vorhaben_id, "Die Ausschreibung anbei.", ("LV.pdf", samples.PDF))
    assert response.status_code == 303
    comment = db.scalars(select(Comment)).one()
    attachment = db.scalars(select(Attachment)).one()
    assert attachment.comment_id == comment.id
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    thread = page.split(f'id="kommentar-{comment.id}"')[1].split("</article>")[0]
    assert f'href="/anhaenge/{attachment.id}"' in thread and "LV.pdf" in thread
    # Not among the Vorhaben's own files.
    assert "LV.pdf" not in page.split('id="anhaenge"')[1].split("</section>")[0]
    assert client.get(f"/anhaenge/{attachment.id}").content == samples.PDF


def test_with_htmx_the_thread_comes_back_with_the_file(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    response = _post(
        client,
        vorhaben_id,
        "Per htmx",
        ("Plan.png", samples.image("PNG")),
        **{"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Plan.png" in response.text and "/vorschau" in response.text


def test_a_comment_without_a_file_is_still_a_comment(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    assert _post(client, vorhaben_id, "Nur Text", None).status_code == 303
    assert db.scalars(select(Comment)).one().body == "Nur Text"
    assert db.scalars(select(Attachment)).all() == []


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_refused_file_keeps_the_typed_text_and_writes_nothing(
    client: TestClient, db: Session, htmx: bool
) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    headers = {"HX-Request": "true"} if htmx else {}
    response = _post(
        client,
        vorhaben_id,
        "Mein langer Text & mehr",
        ("logo.png", samples.SVG_WITH_SCRIPT),
        **headers,
    )
    assert response.status_code == 422
    text = response.text
    assert "SVG-, HTML- und XML-Dateien werden nicht angenommen." in text
    assert "Mein langer Text &amp; mehr</textarea>" in text
    assert db.scalars(select(Comment)).all() == []


def test_a_file_over_the_vorhaben_total_undoes_the_comment(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    part = samples.CSV * (LIMIT // len(samples.CSV) - 1)
    assert _post(client, vorhaben_id, "Teil 1", ("teil1.csv", part)).status_code == 303
    response = _post(client, vorhaben_id, "Teil 2 bitte behalten", ("teil2.csv", part))
    assert response.status_code == 422
    assert "kein Platz mehr" in response.text
    assert "Teil 2 bitte behalten</textarea>" in response.text
    assert [c.body for c in db.scalars(select(Comment))] == ["Teil 1"]
    assert len(db.scalars(select(Attachment)).all()) == 1


def test_editing_a_comment_in_place_keeps_its_file_in_view(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    _post(client, vorhaben_id, "Erste Fassung", ("LV.pdf", samples.PDF))
    comment = db.scalars(select(Comment)).one()
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    response = client.post(
        f"/kommentare/{comment.id}/bearbeiten",
        data={"csrf_token": token, "body": "Zweite Fassung"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Zweite Fassung" in response.text and "LV.pdf" in response.text
    assert "LV.pdf" in client.get(f"/kommentare/{comment.id}", headers={"HX-Request": "true"}).text


def test_a_reply_carries_a_file_too(client: TestClient, db: Session) -> None:
    vorhaben_id = _member_on_vorhaben(client, db)
    _post(client, vorhaben_id, "Frage", None)
    top = db.scalars(select(Comment)).one()
    page = client.get(f"/vorhaben/{vorhaben_id}/kommentare/{top.id}/antworten").text
    assert f'id="field-datei-antwort-{top.id}"' in page
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    response = client.post(
        f"/vorhaben/{vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Antwort mit Tabelle", "parent_id": str(top.id)},
        files={"datei": ("Zahlen.csv", samples.CSV, "text/csv")},
    )
    assert response.status_code == 303
    reply = db.scalars(select(Comment).where(Comment.parent_id == top.id)).one()
    assert db.scalars(select(Attachment)).one().comment_id == reply.id
