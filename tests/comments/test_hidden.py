"""A comment the moderators hid is gone for every other member, on every comment URL,
while its author still sees it (with the reason), and the moderators when asked to review it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.comments import service as comments
from app.config import Settings
from app.moderation import reports
from tests import factories

pytestmark = pytest.mark.commits

WORDING = "Beleidigung gegen den Bauamtsleiter"
EARLIER = "Ursprünglich harmlos formuliert"


@dataclass
class Scene:
    author: factories.Account
    member: factories.Account
    moderator: factories.Account
    comment: factories.Comment


@pytest.fixture
def scene(db: Session, settings: Settings) -> Scene:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Digitales Bauamt")
    author = factories.account(db, "Hanno Hidden")
    member = factories.account(db, "Mona Member")
    moderator = factories.account(db, "Moritz Moderator", role=factories.Role.MODERATOR)
    comment = factories.comment(db, author, vorhaben, EARLIER)

    comments.edit(db, author, comment.id, WORDING)
    return Scene(author, member, moderator, comment)


def _hide(db: Session, settings: Settings, scene: Scene) -> None:
    reports.decide(
        db, settings, scene.moderator, "comment", scene.comment.id, "hide", "Beleidigend"
    )


def _paths(comment_id: int) -> list[str]:
    return [
        f"/kommentare/{comment_id}",
        f"/kommentare/{comment_id}/verlauf",
        f"/kommentare/{comment_id}/bearbeiten",
        f"/kommentare/{comment_id}/melden",
    ]


def test_other_members_lose_every_comment_url_once_hidden(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    comment = scene.comment
    factories.login(client, db, scene.member)
    # Positive control: before the moderators act, the member reads it everywhere.
    assert client.get(f"/kommentare/{comment.id}/verlauf").status_code == 200
    assert EARLIER in client.get(f"/kommentare/{comment.id}/verlauf").text
    assert client.get(f"/kommentare/{comment.id}/melden").status_code == 200
    assert WORDING in client.get(f"/vorhaben/{comment.vorhaben_id}").text

    _hide(db, settings, scene)
    for path in _paths(comment.id):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 404, path
        assert WORDING not in response.text and EARLIER not in response.text, path
    assert client.get(f"/kommentare/{comment.id}/verlauf").status_code == 404
    token = factories.csrf_token(client, f"/vorhaben/{comment.vorhaben_id}")
    for path, data in (
        (f"/kommentare/{comment.id}/bearbeiten", {"body": "x"}),
        (f"/kommentare/{comment.id}/loeschen", {}),
        (f"/kommentare/{comment.id}/melden", {"category": "spam"}),
    ):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 404, path
    page = client.get(f"/vorhaben/{comment.vorhaben_id}").text
    assert WORDING not in page and "von der Moderation ausgeblendet" in page
    reply = client.post(
        f"/vorhaben/{comment.vorhaben_id}/comments",
        data={"csrf_token": token, "body": "Antwort", "parent_id": str(comment.id)},
    )
    assert reply.status_code == 422


def test_the_author_sees_it_with_the_reason_and_moderators_can_review_it(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    _hide(db, settings, scene)
    comment = scene.comment
    factories.login(client, db, scene.author)
    page = client.get(f"/vorhaben/{comment.vorhaben_id}").text
    assert WORDING in page and "Beleidigend" in page and "nur Sie sehen" in page
    history = client.get(f"/kommentare/{comment.id}/verlauf")
    assert history.status_code == 200 and EARLIER in history.text
    assert client.get(f"/kommentare/{comment.id}/bearbeiten").status_code == 403
    # Moderators read it like members do: not on the comment's pages; on its decision page
    # once its author asks for a review (tests/moderation/test_restricted_reading.py).
    factories.login(client, db, scene.moderator)
    assert client.get(f"/kommentare/{comment.id}/verlauf").status_code == 404
    assert WORDING not in client.get(f"/vorhaben/{comment.vorhaben_id}").text
    reports.request_review(db, settings, scene.author, "comment", comment.id, "Bitte prüfen")
    review = client.get(f"/moderation/reports/comment/{comment.id}")
    assert review.status_code == 200 and WORDING in review.text and EARLIER in review.text
