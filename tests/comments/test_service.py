"""Comments: one level of replies, edits keep history, deletion leaves a marker."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.comments import service, threads
from app.comments.models import CommentRevision
from app.config import Settings
from app.core.errors import Forbidden, ValidationFailed
from app.vorhaben.models import Follow, Vorhaben
from tests import factories


@pytest.fixture
def scene(db: Session) -> tuple[factories.Account, factories.Account, Vorhaben]:
    author = factories.account(db, "Anna")
    other = factories.account(db, "Bernd")
    return author, other, factories.vorhaben(db, author, "Thema")


def test_replies_stay_one_level_deep(
    db: Session, scene: tuple[factories.Account, factories.Account, Vorhaben]
) -> None:
    author, other, vorhaben = scene
    top = factories.comment(db, other, vorhaben, "Frage")
    reply = factories.comment(db, author, vorhaben, "Antwort", parent=top)
    reply_to_reply = factories.comment(db, other, vorhaben, "Nachfrage", parent=reply)
    assert reply.parent_id == top.id and reply_to_reply.parent_id == top.id
    [(thread_top, replies)] = threads.page(db, vorhaben.id).threads
    assert thread_top.id == top.id and [r.id for r in replies] == [reply.id, reply_to_reply.id]
    assert vorhaben.comment_count == 3
    assert db.get(Follow, (other.id, vorhaben.id)) is not None  # commenting follows


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001, "Hallo\x00", "\u202eHallo"])
def test_invalid_bodies_are_refused(
    db: Session,
    settings: Settings,
    body: str,
    scene: tuple[factories.Account, factories.Account, Vorhaben],
) -> None:
    author, _other, vorhaben = scene
    with pytest.raises(ValidationFailed) as caught:
        service.post(db, settings, author, vorhaben.id, body)
    assert "body" in caught.value.errors


def test_edit_keeps_the_earlier_wording_and_only_the_author_edits(
    db: Session, scene: tuple[factories.Account, factories.Account, Vorhaben]
) -> None:
    author, other, vorhaben = scene
    comment = factories.comment(db, author, vorhaben, "Erste Fassung")
    service.edit(db, author, comment.id, "Zweite Fassung")
    assert comment.edited_at is not None and comment.body == "Zweite Fassung"
    _comment, revisions = service.history(db, other, comment.id)
    assert [revision.body for revision in revisions] == ["Erste Fassung"]
    with pytest.raises(Forbidden):
        service.edit(db, other, comment.id, "Übernommen")


def test_delete_by_author_or_moderator_leaves_a_marker(
    db: Session, scene: tuple[factories.Account, factories.Account, Vorhaben]
) -> None:
    author, other, vorhaben = scene
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    first = factories.comment(db, author, vorhaben, "Eins")
    second = factories.comment(db, author, vorhaben, "Zwei")
    with pytest.raises(Forbidden):
        service.delete(db, other, first.id)
    service.delete(db, author, first.id)
    service.delete(db, moderator, second.id, "Beleidigend")
    tops = [top for top, _replies in threads.page(db, vorhaben.id).threads]
    assert all(top.is_deleted and top.body_html == "" for top in tops)
    assert vorhaben.comment_count == 0
    # The wording is kept for the record; moderator deletions are audited.
    assert len(db.scalars(select(CommentRevision)).all()) == 2
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "comment_deleted")).one()
    assert event.actor_id == moderator.id and event.reason == "Beleidigend"
    assert event.subject_id == author.id
