"""Comments: post (one level of replies), edit with history, delete leaving a marker."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from app import events
from app.accounts.models import Account
from app.attachments import service as attachments
from app.audit import service as audit
from app.circles.models import Topic
from app.comments.models import Comment, CommentRevision
from app.config import Settings
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.text import forbidden_character, normalize, too_long
from app.i18n import gettext as _
from app.topics import service as topics
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Follow, Vorhaben
from app.vorhaben.visibility import can_see_comment, require_visible_comment

BODY_MAX = 10_000


def clean_body(body: str) -> str:
    text = normalize(body).strip()
    if not text:
        raise ValidationFailed({"body": _("Bitte schreiben Sie einen Kommentar.")})
    if len(text) > BODY_MAX:
        raise ValidationFailed({"body": too_long(BODY_MAX, len(text))})
    if reason := forbidden_character(text):
        raise ValidationFailed({"body": reason})
    return text


# Where a comment is: a Vorhaben, or a circle's topic (app.comments.topic_comments).
Place = Vorhaben | Topic


def get(
    db: Session, reader: Account, comment_id: int, *, moderation: bool = False
) -> tuple[Comment, Place]:
    """A comment and its Vorhaben or topic, if the reader may see both (404 otherwise).

    A hidden comment is only there for its author, and, with `moderation`, for moderators
    to delete it. Moderators read hidden comments only on a report's decision page."""
    comment = db.scalars(
        select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.author))
    ).one_or_none()
    if comment is None:
        raise NotFound(_("Diesen Kommentar gibt es nicht."))
    place: Place
    if comment.vorhaben_id is not None:
        place = vorhaben_service.get(db, reader, comment.vorhaben_id)
    elif comment.topic_id is not None:
        place = topics.get(db, reader, comment.topic_id)
    else:
        raise NotFound(_("Diesen Kommentar gibt es nicht."))
    if not (moderation and reader.is_moderator):
        require_visible_comment(comment, reader)
    return comment, place


def thread_start(db: Session, reader: Account, vorhaben_id: int, comment_id: int) -> Comment | None:
    """The comment `comment_id` with its author, if it starts a thread of the Vorhaben and is
    there for the reader, neither deleted nor hidden: a comment they may answer (the caller
    checks the Vorhaben and whether its discussion is open)."""
    comment = db.scalars(
        select(Comment).where(Comment.id == comment_id).options(joinedload(Comment.author))
    ).one_or_none()
    if (
        comment is None
        or comment.vorhaben_id != vorhaben_id
        or comment.parent_id is not None
        or comment.is_deleted
        or comment.is_hidden
        or not can_see_comment(reader, comment)
    ):
        return None
    return comment


def vorhaben_of(comment: Comment) -> int:
    """The id of the comment's Vorhaben (404 for a topic's comment, which the Vorhaben
    pages never show)."""
    if comment.vorhaben_id is None:
        raise NotFound(_("Diesen Kommentar gibt es nicht."))
    return comment.vorhaben_id


def post(
    db: Session,
    settings: Settings,
    author: Account,
    vorhaben_id: int,
    body: str,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a visible Vorhaben (or reply in a thread); the author follows it. The
    search index and the notifications react to CommentPosted (app.wiring)."""
    vorhaben = vorhaben_service.get(db, author, vorhaben_id)
    if vorhaben.is_locked or vorhaben.is_hidden:
        raise Forbidden(_("Die Diskussion zu diesem Vorhaben ist geschlossen."))
    text = clean_body(body)
    parent = None
    if parent_id is not None:
        parent = db.get(Comment, parent_id)
        if (
            parent is None
            or parent.vorhaben_id != vorhaben.id
            or not can_see_comment(author, parent)
        ):
            raise ValidationFailed({"body": _("Der Kommentar, auf den Sie antworten, fehlt.")})
        if parent.parent_id is not None:
            parent = db.get(Comment, parent.parent_id)  # one level: replies join the thread
    comment = Comment(
        vorhaben_id=vorhaben.id,
        parent_id=parent.id if parent else None,
        author_id=author.id,
        body=text,
        body_html=markdown.render(text),
    )
    db.add(comment)
    if db.get(Follow, (author.id, vorhaben.id)) is None:
        db.add(Follow(account_id=author.id, vorhaben_id=vorhaben.id))
    db.flush()
    vorhaben.comment_count = (vorhaben.comment_count or 0) + 1
    vorhaben_service.touch(vorhaben)
    events.publish(
        db,
        events.CommentPosted(
            settings=settings,
            comment_id=comment.id,
            vorhaben_id=vorhaben.id,
            author_id=author.id,
            parent_id=parent.id if parent else None,
        ),
    )
    return comment


def editable(db: Session, author: Account, comment_id: int) -> tuple[Comment, Place]:
    """A comment its author may reword now (not deleted, not hidden), with its place."""
    comment, place = get(db, author, comment_id)
    if comment.author_id != author.id or comment.is_deleted:
        raise Forbidden(_("Nur die Autorin oder der Autor kann diesen Kommentar bearbeiten."))
    if comment.is_hidden:
        raise Forbidden(_("Ausgeblendete Kommentare lassen sich nicht bearbeiten."))
    return comment, place


def edit(
    db: Session,
    author: Account,
    comment_id: int,
    body: str,
    *,
    settings: Settings | None = None,
) -> Comment:
    """The author rewords a comment; the earlier wording stays in the history. With
    `settings`, members it now names for the first time are notified (CommentEdited)."""
    comment, _place = editable(db, author, comment_id)
    text = clean_body(body)
    if text == comment.body:
        return comment
    db.add(
        CommentRevision(
            comment_id=comment.id,
            body=comment.body,
            created_at=comment.edited_at or comment.created_at,
        )
    )
    comment.body = text
    comment.body_html = markdown.render(text)
    comment.edited_at = utcnow()
    db.flush()
    events.publish(db, events.CommentChanged(comment.id))
    if settings is not None:
        events.publish(db, events.CommentEdited(settings, comment.id, author.id))
    return comment


def delete(
    db: Session,
    actor: Account,
    comment_id: int,
    reason: str = "",
    *,
    settings: Settings | None = None,
) -> Comment:
    """Author or moderator deletes; the thread keeps a "deleted" marker, the comment's files
    go (their stored copies at once with `settings`, else by the maintenance sweep)."""
    comment, place = get(db, actor, comment_id, moderation=True)
    if comment.is_deleted:
        return comment
    if comment.author_id != actor.id and not actor.is_moderator:
        raise Forbidden(_("Löschen können die Autorin oder der Autor und die Moderation."))
    db.add(CommentRevision(comment_id=comment.id, body=comment.body))
    comment.deleted_at = utcnow()
    comment.deleted_by_id = actor.id
    comment.body = ""
    comment.body_html = ""
    if actor.id != comment.author_id:
        audit.record(
            db,
            "comment_deleted",
            actor_id=actor.id,
            object_type="comment",
            object_id=comment.id,
            subject_id=comment.author_id,
            reason=reason or None,
            **_where(place),
        )
    if isinstance(place, Vorhaben):
        place.comment_count = max(0, (place.comment_count or 1) - 1)
    attachments.delete_for_comment(db, settings, comment.id)
    db.flush()
    events.publish(db, events.CommentChanged(comment.id))
    return comment


def _where(place: Place) -> dict[str, int]:
    """The audit detail naming a comment's place."""
    return {"vorhaben_id" if isinstance(place, Vorhaben) else "topic_id": place.id}


def history(db: Session, reader: Account, comment_id: int) -> tuple[Comment, list[CommentRevision]]:
    """A comment with its earlier wordings, newest first, for whoever may read it (hidden
    ones: their author). A deleted comment's words are nobody's to read here; moderators
    see those of a reported one on its decision page (PRODUCT.md invariant 5)."""
    comment, _place = get(db, reader, comment_id)
    if comment.is_deleted:
        raise NotFound(_("Dieser Kommentar wurde gelöscht."))
    revisions = list(
        db.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.id.desc())
        )
    )
    return comment, revisions


def recount(db: Session, vorhaben_id: int) -> None:
    """Recompute a Vorhaben's comment counter (seeding, repairs)."""
    count = (
        db.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.vorhaben_id == vorhaben_id, Comment.deleted_at.is_(None))
        )
        or 0
    )
    db.execute(update(Vorhaben).where(Vorhaben.id == vorhaben_id).values(comment_count=count))
