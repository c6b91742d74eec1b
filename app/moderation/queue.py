"""The moderators' view of reports: the queue of reported content, review requests, and the
reports on one target."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.comments.models import Comment, CommentRevision
from app.core.errors import NotFound
from app.moderation.models import Report, ReportState, TargetType
from app.moderation.targets import Target, of_comment
from app.vorhaben.models import Vorhaben


@dataclass(frozen=True)
class QueueEntry:
    target_type: TargetType
    target_id: int
    reports: int
    municipalities: int
    first_reported: object
    categories: list[str]


def queue(db: Session, *, state: str = "open") -> list[QueueEntry]:
    """Reported targets with open reports (or review requests), oldest first."""
    rows = db.execute(
        select(
            Report.target_type,
            Report.target_id,
            func.count(),
            func.count(func.distinct(Report.reporter_municipality_id)),
            func.min(Report.created_at),
        )
        .where(
            Report.state
            == (ReportState(state) if state in {s.value for s in ReportState} else ReportState.OPEN)
        )
        .group_by(Report.target_type, Report.target_id)
        .order_by(func.min(Report.created_at))
    ).all()
    entries = []
    for target_type, target_id, count, municipalities, first in rows:
        categories = sorted(
            set(
                db.scalars(
                    select(Report.category).where(
                        Report.target_type == target_type, Report.target_id == target_id
                    )
                )
            )
        )
        entries.append(
            QueueEntry(
                target_type,
                target_id,
                count,
                municipalities,
                first,
                [category.value for category in categories],
            )
        )
    return entries


def review_requests(db: Session) -> list[Target]:
    """Hidden content whose authors asked for a second look."""
    found: list[Target] = []
    for vorhaben in db.scalars(select(Vorhaben).where(Vorhaben.review_requested_at.is_not(None))):
        found.append(Target(TargetType.VORHABEN, vorhaben, None))
    for comment in db.scalars(select(Comment).where(Comment.review_requested_at.is_not(None))):
        try:
            found.append(of_comment(db, comment))
        except NotFound:  # its Vorhaben is being deleted
            continue
    return found


def reports_on(db: Session, target: Target) -> list[Report]:
    return list(
        db.scalars(
            select(Report)
            .where(Report.target_type == target.type, Report.target_id == target.id)
            .order_by(Report.created_at)
        )
    )


def earlier_wordings(db: Session, target: Target) -> list[CommentRevision]:
    """A reported comment's earlier wordings, newest first (none for a Vorhaben)."""
    if target.comment is None:
        return []
    return list(
        db.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == target.comment.id)
            .order_by(CommentRevision.id.desc())
        )
    )
