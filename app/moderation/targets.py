"""What a report is about: a Vorhaben or a comment, with the Vorhaben it belongs to, loaded
without any visibility filter, and whether a reader may see it as any member would."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.comments.models import Comment
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.moderation.models import TargetType
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see, can_see_comment


@dataclass
class Target:
    """A reported Vorhaben or comment, with the Vorhaben it belongs to."""

    type: TargetType
    vorhaben: Vorhaben
    comment: Comment | None

    @property
    def id(self) -> int:
        return self.comment.id if self.comment is not None else self.vorhaben.id

    @property
    def author_id(self) -> int | None:
        return self.comment.author_id if self.comment is not None else self.vorhaben.author_id

    @property
    def hidden(self) -> bool:
        item = self.comment if self.comment is not None else self.vorhaben
        return item.hidden_at is not None

    @property
    def hidden_reason(self) -> str | None:
        item = self.comment if self.comment is not None else self.vorhaben
        return item.hidden_reason

    @property
    def review_requested(self) -> bool:
        item = self.comment if self.comment is not None else self.vorhaben
        return item.review_requested_at is not None


def load_target(db: Session, target_type: str, target_id: int) -> Target:
    """The target without any visibility filter: for the service's own decisions, never to
    show it (moderators read through for_moderator())."""
    if target_type == TargetType.COMMENT.value:
        comment = db.scalars(
            select(Comment).where(Comment.id == target_id).options(joinedload(Comment.author))
        ).one_or_none()
        if comment is None:
            raise NotFound(_("Diesen Kommentar gibt es nicht."))
        if comment.vorhaben_id is None:  # a topic's comment: not reportable yet
            raise NotFound(_("Diesen Kommentar gibt es nicht."))
        vorhaben = db.get(Vorhaben, comment.vorhaben_id)
        if vorhaben is None:
            raise NotFound
        return Target(TargetType.COMMENT, vorhaben, comment)
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


def readable(reader: Account, target: Target) -> bool:
    """Whether the reader may see the target as any member would (a deleted comment's
    words are nobody's to read)."""
    if not can_see(reader, target.vorhaben):
        return False
    comment = target.comment
    return comment is None or (not comment.is_deleted and can_see_comment(reader, comment))
