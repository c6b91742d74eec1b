"""Topics: a circle member opens one in their circle; the circle's members read them.
Every read goes through app.vorhaben.visibility (topic_visible_clause, can_see_topic)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.circles.models import Topic
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line, forbidden_character, normalize, too_long
from app.i18n import gettext as _
from app.vorhaben.visibility import can_see_topic, require_visible_topic, topic_visible_clause

TITLE_MAX = 200
BODY_MAX = 20_000


def _cleaned(title: str, body: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    clean_title = clean_line(title)
    text = normalize(body).strip()
    if reason := forbidden_character(normalize(title)):
        errors["title"] = reason
    elif not clean_title:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    elif len(clean_title) > TITLE_MAX:
        errors["title"] = too_long(TITLE_MAX, len(clean_title))
    if reason := forbidden_character(text):
        errors["body"] = reason
    elif not text:
        errors["body"] = _("Bitte schreiben Sie, worum es geht.")
    elif len(text) > BODY_MAX:
        errors["body"] = too_long(BODY_MAX, len(text))
    if errors:
        raise ValidationFailed(errors)
    return clean_title, text


def create(db: Session, author: Account, circle_id: int, title: str, body: str) -> Topic:
    """A new topic in a circle the author is an active member of (404 otherwise: the
    circle's content is not admitted to exist)."""
    clean_title, text = _cleaned(title, body)
    topic = Topic(
        circle_id=circle_id,
        author_id=author.id,
        title=clean_title,
        body=text,
        body_html=markdown.render(text),
    )
    db.add(topic)
    with db.no_autoflush:  # asked before the row is written
        allowed = can_see_topic(author, topic)
    if not allowed:
        db.expunge(topic)
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    db.flush()
    return topic


def get(db: Session, reader: Account, topic_id: int, circle_id: int | None = None) -> Topic:
    """A topic the reader may see (and, with `circle_id`, of that circle), else 404."""
    topic = db.scalars(
        select(Topic).where(Topic.id == topic_id).options(joinedload(Topic.author))
    ).one_or_none()
    if topic is not None and circle_id is not None and topic.circle_id != circle_id:
        topic = None
    return require_visible_topic(topic, reader)


def of_circle(db: Session, reader: Account, circle_id: int, *, limit: int = 50) -> list[Topic]:
    """The circle's topics the reader may see, newest activity first."""
    return list(
        db.scalars(
            select(Topic)
            .where(Topic.circle_id == circle_id, topic_visible_clause(reader))
            .options(joinedload(Topic.author))
            .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
            .limit(limit)
        )
    )


def touch(topic: Topic) -> None:
    """New activity (a comment): the topic moves to the top of its circle's list."""
    topic.last_activity_at = utcnow()
