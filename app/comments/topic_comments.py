"""Comments on a circle's topics (app.topics): the same Comment rows as on a Vorhaben, with
topic_id set instead of vorhaben_id (a CHECK keeps exactly one). Whoever may see the
topic (its circle's active members, app.vorhaben.visibility) reads and writes them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles.models import Topic
from app.comments import threads
from app.comments.models import Comment
from app.comments.service import clean_body
from app.core import markdown
from app.topics import service as topics


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


def thread_context(
    db: Session, topic: Topic, until: int | None = None, *, newer: bool = True
) -> dict[str, Any]:
    """A page of the topic's discussion, paged as a Vorhaben's (app.comments.threads): the
    newest threads, or those up to the thread of `until`; the caller has read the topic
    through the visibility rule."""
    return threads.thread_context(db, topic.id, until, newer=newer, topic_of=topic.circle_id)
