"""A comment's path: comments.service.post -> events.CommentPosted -> (search index,
notifications). The comment service knows neither; without the wiring nothing reacts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import events, wiring
from app.comments import service
from app.config import Settings
from app.notifications.models import Notification, NotificationKind
from app.search.models import EntryKind, SearchEntry
from tests import factories


def _indexed(db: Session, comment_id: int) -> bool:
    entry = db.scalars(
        select(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment_id
        )
    ).one_or_none()
    return entry is not None


def _notified(db: Session, comment_id: int) -> list[tuple[int, NotificationKind]]:
    rows = db.scalars(select(Notification).where(Notification.comment_id == comment_id))
    return sorted((row.account_id, row.kind) for row in rows)


def test_a_posted_comment_reaches_the_index_and_the_notifications_through_the_hub(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    commenter = factories.account(db, "Paul")
    vorhaben = factories.vorhaben(db, owner, "Offene Daten")  # the author follows it

    heard: list[events.CommentPosted] = []
    with events.isolated():  # the production wiring, and a spy after it
        wiring.wire()
        events.subscribe(events.CommentPosted, lambda _db, event: heard.append(event))
        comment = service.post(db, settings, commenter, vorhaben.id, "Wie läuft das Portal?")
        reply = service.post(db, settings, owner, vorhaben.id, "Gut, danke!", comment.id)

    assert [(event.comment_id, event.parent_id) for event in heard] == [
        (comment.id, None),
        (reply.id, comment.id),
    ]
    assert _indexed(db, comment.id) and _indexed(db, reply.id)
    assert _notified(db, comment.id) == [(owner.id, NotificationKind.COMMENT)]
    assert _notified(db, reply.id) == [(commenter.id, NotificationKind.REPLY)]

    service.edit(db, commenter, comment.id, "Wie läuft das neue Portal?")  # CommentChanged
    entry = db.scalars(
        select(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment.id
        )
    ).one()
    assert "neu" in entry.tokens_d.split()  # the analyzer's token of "neue"
    service.delete(db, commenter, comment.id)
    assert not _indexed(db, comment.id)


def test_without_the_wiring_the_comment_service_reaches_neither(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    commenter = factories.account(db, "Paul")
    vorhaben = factories.vorhaben(db, owner, "Offene Daten")
    with events.isolated():
        comment = service.post(db, settings, commenter, vorhaben.id, "Wie läuft das Portal?")
    assert comment.id is not None and vorhaben.comment_count == 1
    assert not _indexed(db, comment.id)
    assert _notified(db, comment.id) == []
