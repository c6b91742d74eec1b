"""What the circle pages and the dashboard show of a circle's Vorhaben: cards read through
the one visibility rule, so a reader outside the circle gets none. (Here, below both pages,
since pages of one layer do not import each other.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles.models import Circle, CircleMembership, MembershipState
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import Card, load_card_lists, load_cards
from app.vorhaben.visibility import Reader, visible_clause

RECENT_PER_CIRCLE = 3


def vorhaben_of(db: Session, reader: Reader, circle_id: int, *, limit: int = 50) -> list[Card]:
    """The Vorhaben shared with a circle that the reader may see, latest activity first."""
    return load_cards(db, _in_circle(reader, circle_id, limit))


def _in_circle(reader: Reader, circle_id: int, limit: int) -> Select[Any]:
    return (
        select(Vorhaben)
        .where(Vorhaben.circle_id == circle_id, visible_clause(reader))
        .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
        .limit(limit)
    )


@dataclass(frozen=True)
class CircleOverview:
    """One of the reader's circles on the dashboard: its name and latest Vorhaben."""

    circle: Circle
    recent: list[Card]


@dataclass(frozen=True)
class MyCircles:
    """The dashboard's circles: those the member is in, and those they are invited to."""

    active: list[CircleOverview]
    invited: list[Circle]


def my_circles(db: Session, member: Account) -> MyCircles:
    """Each circle the member is active in with its latest Vorhaben, and their invitations:
    one statement for a member in no circle, two more for the cards of all their circles."""
    rows = db.execute(
        select(Circle, CircleMembership.state)
        .join(CircleMembership, CircleMembership.circle_id == Circle.id)
        .where(
            CircleMembership.account_id == member.id,
            CircleMembership.state.in_((MembershipState.ACTIVE, MembershipState.INVITED)),
        )
        .order_by(Circle.name, Circle.id)
    ).all()
    active = [circle for circle, state in rows if state is MembershipState.ACTIVE]
    invited = [circle for circle, state in rows if state is MembershipState.INVITED]
    lists = (
        load_card_lists(db, [_in_circle(member, c.id, RECENT_PER_CIRCLE) for c in active])
        if active
        else []
    )
    return MyCircles(
        [CircleOverview(circle, cards) for circle, cards in zip(active, lists, strict=True)],
        invited,
    )
