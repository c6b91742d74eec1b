"""What the circle pages and the dashboard show of a circle's Vorhaben: cards read through
the one visibility rule, so a reader outside the circle gets none."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles import service as circles
from app.circles.models import Circle
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import Card, load_cards
from app.vorhaben.visibility import Reader, visible_clause

RECENT_PER_CIRCLE = 3


def vorhaben_of(db: Session, reader: Reader, circle_id: int, *, limit: int = 50) -> list[Card]:
    """The Vorhaben shared with a circle that the reader may see, latest activity first."""
    return load_cards(
        db,
        select(Vorhaben)
        .where(Vorhaben.circle_id == circle_id, visible_clause(reader))
        .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
        .limit(limit),
    )


@dataclass(frozen=True)
class CircleOverview:
    """One of the reader's circles on the dashboard: its name and latest Vorhaben."""

    circle: Circle
    recent: list[Card]


def my_circles(db: Session, member: Account) -> list[CircleOverview]:
    """Each circle the member is active in, with its latest Vorhaben (a statement for the
    circles, and one per circle: members belong to a few)."""
    return [
        CircleOverview(circle, vorhaben_of(db, member, circle.id, limit=RECENT_PER_CIRCLE))
        for circle in circles.active_circles(db, member.id)
    ]
