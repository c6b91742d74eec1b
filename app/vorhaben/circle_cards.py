"""What the circle pages and the dashboard show of a circle's Vorhaben: cards read through
the one visibility rule, so a reader outside the circle gets none. (Here, below both pages,
since pages of one layer do not import each other.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.circles.models import Circle, CircleMembership, MembershipState
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import Card, load_cards
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


@dataclass(frozen=True, slots=True)
class CircleRef:
    """What the dashboard shows of a circle: its name, linked."""

    id: int
    name: str


@dataclass(frozen=True)
class CircleOverview:
    """One of the reader's circles on the dashboard: its name and latest Vorhaben."""

    circle: CircleRef
    recent: list[Card]


@dataclass(frozen=True)
class MyCircles:
    """The dashboard's circles: those the member is in, and those they are invited to."""

    active: list[CircleOverview]
    invited: list[CircleRef]


def memberships_select(reader: Reader) -> Select[int, str, bool]:
    """The circles the reader is active in or invited to: (id, name, active). The dashboard
    reads them in its statement of the member's facts."""
    return (
        select(
            Circle.id.label("id"),
            Circle.name.label("name"),
            (CircleMembership.state == MembershipState.ACTIVE).label("active"),
        )
        .join(CircleMembership, CircleMembership.circle_id == Circle.id)
        .where(
            CircleMembership.account_id == reader.id,
            CircleMembership.state.in_((MembershipState.ACTIVE, MembershipState.INVITED)),
        )
    )


def recent_select(reader: Reader) -> Select[Any]:
    """The RECENT_PER_CIRCLE Vorhaben last active in each circle the reader is active in,
    of those they may see (a select over Vorhaben for the dashboard's cards; its rows are
    in no order: recent() sorts them)."""
    active = select(CircleMembership.circle_id).where(
        CircleMembership.account_id == reader.id,
        CircleMembership.state == MembershipState.ACTIVE,
    )
    rank = func.row_number().over(
        partition_by=Vorhaben.circle_id,
        order_by=(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc()),
    )
    ranked = (
        select(Vorhaben.id, rank.label("rank"))
        .where(Vorhaben.circle_id.in_(active), visible_clause(reader))
        .subquery("ranked")
    )
    chosen = select(ranked.c.id).where(ranked.c.rank <= RECENT_PER_CIRCLE)
    return select(Vorhaben).where(Vorhaben.id.in_(chosen))


def overview(
    circles: Iterable[tuple[int, str, bool]], recent: Iterable[tuple[int, Card]]
) -> MyCircles:
    """The dashboard's circles from what its statements read: the circles (id, name,
    active) and the cards of recent_select() with their circle's id."""
    cards: dict[int, list[Card]] = {}
    ordered = sorted(recent, key=lambda entry: (entry[1].last_activity_at, entry[1].id))
    for circle_id, card in reversed(ordered):  # latest activity first
        cards.setdefault(circle_id, []).append(card)
    by_name = sorted(circles, key=lambda circle: (circle[1], circle[0]))
    return MyCircles(
        [
            CircleOverview(CircleRef(key, name), cards.get(key, []))
            for key, name, active in by_name
            if active
        ],
        [CircleRef(key, name) for key, name, active in by_name if not active],
    )
