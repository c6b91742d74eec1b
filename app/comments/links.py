"""Where a comment is: the address of the page of the discussion that holds it, with its
anchor. The Vorhaben page, and a circle's topic page, show only the newest threads
(app.comments.threads.page), so every link to a single comment (redirects after writing,
notifications, the dashboard, moderation, the permanent address /kommentare/{id} that
mails, search and the audit log use) asks here instead of writing
`/vorhaben/{id}#kommentar-{n}` itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from app.circles.models import Topic
from app.comments.models import Comment
from app.comments.threads import PAGE_THREADS, later_than, page_url, topic_page_url


def address(vorhaben_id: int, comment_id: int, until: int | None) -> str:
    """The address of a comment on the page `until` (see until_column) of its discussion."""
    return f"{page_url(vorhaben_id, until)}#kommentar-{comment_id}"


def topic_address(circle_id: int, topic_id: int, comment_id: int, until: int | None) -> str:
    """The address of a topic's comment on the page `until` of the topic's discussion."""
    return f"{topic_page_url(circle_id, topic_id, until)}#kommentar-{comment_id}"


def until_column(comment_id: Any, of: str = "vorhaben_id") -> Any:
    """SQL: the `bis` cursor of the page that holds the comment `comment_id` (a column of
    the enclosing query): its thread's top-level comment, or NULL when that thread is among
    the PAGE_THREADS newest, on the Vorhaben page. A correlated subquery that walks at most
    PAGE_THREADS newer threads over the index (vorhaben_id, created_at), so a comment deep
    in a long discussion costs no more than a new one; put it where it runs for the rows
    shown only (after their limit). `of` names the discussion: "topic_id" for a topic's
    comments (over the index on topic_id)."""
    located = aliased(Comment, name="located")
    top = aliased(Comment, name="located_top")
    later = aliased(Comment, name="located_later")
    pushed_off = (
        select(later.id)
        .where(
            getattr(later, of) == getattr(top, of),
            later.parent_id.is_(None),
            later_than(later, top),
        )
        .offset(PAGE_THREADS - 1)  # whether PAGE_THREADS exist: no order needed
        .limit(1)
        .exists()
    )
    return (
        select(top.id)
        .join(located, top.id == func.coalesce(located.parent_id, located.id))
        .where(located.id == comment_id, pushed_off)
        .scalar_subquery()
    )


_PLACES = (
    select(
        Comment.id,
        Comment.vorhaben_id,
        case(
            (Comment.vorhaben_id.is_not(None), until_column(Comment.id)),
            else_=until_column(Comment.id, "topic_id"),
        ),
        Topic.circle_id,
        Comment.topic_id,
    )
    .outerjoin(Topic, Topic.id == Comment.topic_id)
    .where(Comment.id.in_(bindparam("ids", expanding=True)))
)


def _address(key: int, vorhaben_id: int | None, until: int | None, circle: Any, topic: Any) -> str:
    if vorhaben_id is not None:
        return address(vorhaben_id, key, until)
    return topic_address(circle, topic, key, until)


def urls(db: Session, comment_ids: Iterable[int]) -> dict[int, str]:
    """The address of each comment, anchor included (one statement; unknown ids are left
    out). Says nothing about who may see them: the pages they lead to decide that."""
    ids = sorted(set(comment_ids))
    if not ids:
        return {}
    rows = db.execute(_PLACES, {"ids": ids}).all()
    return {row[0]: _address(*row) for row in rows}


def until_of(db: Session, comment_id: int) -> int | None:
    """The `bis` cursor of the page that holds a comment (None: the Vorhaben's, or the
    topic's, own page)."""
    row = db.execute(_PLACES, {"ids": [comment_id]}).first()
    return row[2] if row is not None else None


def url(db: Session, comment_id: int) -> str:
    """The address of one comment, anchor included."""
    return urls(db, (comment_id,)).get(comment_id) or permanent(comment_id)


def permanent(comment_id: int) -> str:
    """The address that finds the comment when it is followed (mails, search, the audit
    log): it redirects to url(), so it still holds after newer threads have pushed the
    comment off the page it was on."""
    return f"/kommentare/{comment_id}"
