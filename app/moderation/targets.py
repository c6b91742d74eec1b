"""What a report is about: a Vorhaben or a comment, with the Vorhaben or the circle's topic
it belongs to, loaded without any visibility filter, and whether a reader may see it as any
member would."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.circles.models import Circle, Topic
from app.comments.models import Comment
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.moderation.models import TargetType
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see, can_see_comment, can_see_topic


@dataclass
class Target:
    """A reported Vorhaben or comment, with the Vorhaben it belongs to, or (a comment on a
    circle's topic) the topic and its circle."""

    type: TargetType
    vorhaben: Vorhaben | None
    comment: Comment | None
    topic: Topic | None = None
    circle: Circle | None = None

    @property
    def id(self) -> int:
        return self.comment.id if self.comment is not None else self.required_vorhaben.id

    @property
    def required_vorhaben(self) -> Vorhaben:
        """The Vorhaben, where the caller made sure the target is not a topic's comment."""
        if self.vorhaben is None:
            raise NotFound
        return self.vorhaben

    @property
    def title(self) -> str:
        """The title of the Vorhaben, or the topic, the target is (on)."""
        return self.topic.title if self.topic is not None else self.required_vorhaben.title

    @property
    def vorhaben_id(self) -> int | None:
        return self.vorhaben.id if self.vorhaben is not None else None

    @property
    def locked(self) -> bool:
        """Whether its discussion is closed (a topic's never is)."""
        return self.vorhaben is not None and self.vorhaben.locked_at is not None

    @property
    def _item(self) -> Vorhaben | Comment:
        return self.comment if self.comment is not None else self.required_vorhaben

    @property
    def author_id(self) -> int | None:
        return self._item.author_id

    @property
    def hidden(self) -> bool:
        return self._item.hidden_at is not None

    @property
    def hidden_reason(self) -> str | None:
        return self._item.hidden_reason

    @property
    def review_requested(self) -> bool:
        return self._item.review_requested_at is not None


def of_comment(db: Session, comment: Comment) -> Target:
    """The target a comment is, with its Vorhaben or its topic and circle (404 if gone)."""
    if comment.topic_id is not None:
        topic = db.get(Topic, comment.topic_id)
        if topic is None:
            raise NotFound
        return Target(TargetType.COMMENT, None, comment, topic, db.get(Circle, topic.circle_id))
    vorhaben = db.get(Vorhaben, comment.vorhaben_id) if comment.vorhaben_id else None
    if vorhaben is None:
        raise NotFound
    return Target(TargetType.COMMENT, vorhaben, comment)


def load_target(db: Session, target_type: str, target_id: int) -> Target:
    """The target without any visibility filter: for the service's own decisions, never to
    show it (moderators read through for_moderator())."""
    if target_type == TargetType.COMMENT.value:
        comment = db.scalars(
            select(Comment).where(Comment.id == target_id).options(joinedload(Comment.author))
        ).one_or_none()
        if comment is None:
            raise NotFound(_("Diesen Kommentar gibt es nicht."))
        return of_comment(db, comment)
    if target_type == TargetType.VORHABEN.value:
        vorhaben = (
            db.scalars(
                select(Vorhaben)
                .where(Vorhaben.id == target_id)
                .options(*vorhaben_service.detail_options())
            )
            .unique()
            .one_or_none()
        )
        if vorhaben is None:
            raise NotFound(_("Dieses Vorhaben gibt es nicht."))
        return Target(TargetType.VORHABEN, vorhaben, None)
    raise NotFound


def for_reader(db: Session, reader: Account, target_type: str, target_id: int) -> Target:
    """The target as a member reads it to report it (404 if they may not see it)."""
    if target_type == TargetType.VORHABEN.value:
        return Target(TargetType.VORHABEN, vorhaben_service.get(db, reader, target_id), None)
    target = load_target(db, target_type, target_id)
    if not readable(reader, target):
        raise NotFound(_("Diesen Kommentar gibt es nicht."))
    return target


def readable(reader: Account, target: Target) -> bool:
    """Whether the reader may see the target as any member would (a deleted comment's
    words are nobody's to read)."""
    if target.topic is not None:
        if not can_see_topic(reader, target.topic):
            return False
    elif target.vorhaben is None or not can_see(reader, target.vorhaben):
        return False
    comment = target.comment
    return comment is None or (not comment.is_deleted and can_see_comment(reader, comment))
