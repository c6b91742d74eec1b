"""Comments on a circle's topics (app.topics): the same Comment rows as on a Vorhaben, with
topic_id set instead of vorhaben_id (a CHECK keeps exactly one). Whoever may see the
topic (its circle's active members, app.vorhaben.visibility) reads and writes them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.circles.models import Topic
from app.comments.models import Comment
from app.comments.service import clean_body
from app.core import markdown
from app.topics import service as topics
from app.vorhaben.visibility import comment_visible_clause

SHOWN_MAX = 200


def post(db: Session, author: Account, topic_id: int, circle_id: int, body: str) -> Comment:
    """Comment on a topic the author may see (404 otherwise); the topic moves up."""
    topic = topics.get(db, author, topic_id, circle_id)
    text = clean_body(body)
    comment = Comment(
        topic_id=topic.id, author_id=author.id, body=text, body_html=markdown.render(text)
    )
    db.add(comment)
    topics.touch(topic)
    db.flush()
    return comment


def of_topic(db: Session, reader: Account, topic: Topic) -> list[Comment]:
    """The topic's comments the reader may see (hidden ones only their author), oldest
    first; the caller has read the topic through the visibility rule."""
    return list(
        db.scalars(
            select(Comment)
            .where(
                Comment.topic_id == topic.id,
                Comment.deleted_at.is_(None),
                comment_visible_clause(reader, Comment),
            )
            .options(joinedload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
            .limit(SHOWN_MAX)
        )
    )
