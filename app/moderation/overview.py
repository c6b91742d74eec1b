"""What waits in each moderation queue (the overview's cards)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.circles import repository as circle_repository
from app.export.models import Publication, PublicationState
from app.membership.models import Application, ApplicationState, ChangeState, MembershipChange
from app.moderation.models import Report, ReportState


@dataclass(frozen=True)
class Waiting:
    applications: int
    reported: int  # contributions with open reports (several reports of one count once)
    publications: int
    changes: int = 0  # requested changes of municipality or position
    circles_unmoderated: int = 0  # circles nobody can run (app.circles.repository)


def waiting(db: Session) -> Waiting:
    """How many applications, reported contributions and submissions wait."""
    applications = db.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.state.in_((ApplicationState.SUBMITTED, ApplicationState.NEEDS_INFO)))
    )
    reported = db.scalar(
        select(func.count()).select_from(
            select(Report.target_type, Report.target_id)
            .where(Report.state == ReportState.OPEN)
            .group_by(Report.target_type, Report.target_id)
            .subquery()
        )
    )
    publications = db.scalar(
        select(func.count())
        .select_from(Publication)
        .where(Publication.state == PublicationState.SUBMITTED)
    )
    changes = db.scalar(
        select(func.count())
        .select_from(MembershipChange)
        .where(MembershipChange.state == ChangeState.OPEN)
    )
    return Waiting(
        applications or 0,
        reported or 0,
        publications or 0,
        changes or 0,
        circle_repository.unmoderated_count(db),
    )
