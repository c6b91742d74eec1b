"""What is new for a member: in their Land, in their fields, on what they follow, and the
open signals for their municipality."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.accounts.models import Account, shown_name
from app.comments.models import Comment
from app.core.clock import utcnow
from app.municipalities.models import Municipality, distinct_name
from app.vorhaben.models import (
    SIGNAL_LABELS,
    STAGE_LABELS,
    FieldOfAction,
    Follow,
    Interest,
    Signal,
    SignalKind,
    StageChange,
    Vorhaben,
    VorhabenField,
)
from app.vorhaben.repository import Card, load_card_lists
from app.vorhaben.visibility import comment_visible_clause, visible_clause

RECENT = dt.timedelta(days=90)
T = TypeVar("T")


@dataclass(frozen=True)
class Activity:
    """Something that happened on a followed Vorhaben: a comment, a stage change, a signal."""

    kind: str  # "comment", "stage" or "signal"
    at: dt.datetime
    vorhaben_id: int
    vorhaben_title: str
    who: str  # shown_name() of a member, or the signalling municipality's name
    what: str  # the new stage's or the signal's label, untranslated ("" for a comment)
    anchor: str  # where on the Vorhaben page it is


@dataclass(frozen=True)
class OpenSignal:
    signal_id: int
    kind: SignalKind
    municipality_ags: str
    municipality_name: str
    vorhaben_id: int
    vorhaben_title: str

    @property
    def label(self) -> str:
        return SIGNAL_LABELS[self.kind]


@dataclass(frozen=True)
class Group(Generic[T]):
    """Entries about one Vorhaben, in the order they came."""

    vorhaben_id: int
    vorhaben_title: str
    entries: tuple[T, ...]


def by_vorhaben(entries: Iterable[Activity | OpenSignal]) -> list[Group[Any]]:
    """Entries grouped by their Vorhaben; groups in the order of their first entry."""
    groups: dict[int, tuple[str, list[Any]]] = {}
    for entry in entries:
        groups.setdefault(entry.vorhaben_id, (entry.vorhaben_title, []))[1].append(entry)
    return [Group(key, title, tuple(found)) for key, (title, found) in groups.items()]


@dataclass(frozen=True)
class Dashboard:
    land_name: str | None
    new_in_land: tuple[Card, ...]
    interests: tuple[str, ...]  # labels of the member's fields of action
    in_my_fields: tuple[Card, ...]
    followed_activity: tuple[Activity, ...]
    open_signals: tuple[OpenSignal, ...]
    open_signal_count: int

    @property
    def followed_groups(self) -> list[Group[Activity]]:
        return by_vorhaben(self.followed_activity)

    @property
    def open_signal_groups(self) -> list[Group[OpenSignal]]:
        return by_vorhaben(self.open_signals)


def build(db: Session, member: Account, *, limit: int = 6) -> Dashboard:
    """The dashboard of one member (every list goes through the visibility rule)."""
    return _build(db, member, utcnow() - RECENT, limit)


def _build(db: Session, member: Account, since: dt.datetime, limit: int) -> Dashboard:
    land = None
    if member.municipality_id is not None:
        home = aliased(Municipality, name="home")
        land = db.execute(
            select(Municipality.id, Municipality.name)
            .join(home, home.land_id == Municipality.id)
            .where(home.id == member.municipality_id)
        ).one_or_none()
    queries = []
    if land is not None:
        queries.append(
            select(Vorhaben)
            .join(Municipality, Municipality.id == Vorhaben.municipality_id)
            .where(
                visible_clause(member),
                Municipality.land_id == land.id,
                Vorhaben.created_at >= since,
            )
            .order_by(Vorhaben.created_at.desc(), Vorhaben.id.desc())
            .limit(limit)
        )
    interests = list(
        db.scalars(
            select(FieldOfAction)
            .join(Interest, Interest.field_id == FieldOfAction.id)
            .where(Interest.account_id == member.id)
            .order_by(FieldOfAction.position)
        )
    )
    if interests:
        queries.append(
            select(Vorhaben)
            .where(
                visible_clause(member),
                exists().where(
                    VorhabenField.vorhaben_id == Vorhaben.id,
                    VorhabenField.field_id.in_([entry.id for entry in interests]),
                ),
            )
            .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
            .limit(limit)
        )
    found = load_card_lists(db, queries)  # their fields and tags in one statement
    new_in_land: list[Card] = found.pop(0) if land is not None else []
    in_my_fields: list[Card] = found.pop(0) if interests else []
    open_signals, open_count = _open_signals(db, member, limit * 2)
    return Dashboard(
        land_name=land.name if land else None,
        new_in_land=tuple(new_in_land),
        interests=tuple(entry.label for entry in interests),
        in_my_fields=tuple(in_my_fields),
        followed_activity=tuple(followed_activity(db, member, since, limit=limit * 2)),
        open_signals=tuple(open_signals),
        open_signal_count=open_count,
    )


def followed_activity(
    db: Session, member: Account, since: dt.datetime, *, limit: int
) -> list[Activity]:
    """Comments, stage changes and signals by others on the Vorhaben the member follows,
    newest first."""
    followed = (Follow.vorhaben_id == Vorhaben.id) & (Follow.account_id == member.id)
    comments = db.execute(
        select(
            Comment.id,
            Comment.created_at,
            Vorhaben.id.label("vorhaben_id"),
            Vorhaben.title,
            Account.display_name,
            Account.state,
        )
        .join(Vorhaben, Vorhaben.id == Comment.vorhaben_id)
        .join(Follow, followed)
        .outerjoin(Account, Account.id == Comment.author_id)
        .where(
            visible_clause(member),
            comment_visible_clause(member, Comment),
            Comment.deleted_at.is_(None),
            or_(Comment.author_id.is_(None), Comment.author_id != member.id),
            Comment.created_at >= since,
        )
        .order_by(Comment.created_at.desc())
        .limit(limit)
    ).all()
    steps = db.execute(
        select(
            StageChange.created_at,
            StageChange.to_stage,
            Vorhaben.id.label("vorhaben_id"),
            Vorhaben.title,
            Account.display_name,
            Account.state,
        )
        .join(Vorhaben, Vorhaben.id == StageChange.vorhaben_id)
        .join(Follow, followed)
        .outerjoin(Account, Account.id == StageChange.actor_id)
        .where(
            visible_clause(member),
            StageChange.from_stage.is_not(None),  # a creation is not a change
            or_(StageChange.actor_id.is_(None), StageChange.actor_id != member.id),
            StageChange.created_at >= since,
        )
        .order_by(StageChange.created_at.desc())
        .limit(limit)
    ).all()
    own_town = member.municipality_id if member.municipality_id is not None else -1
    signals = db.execute(
        select(
            Signal.created_at,
            Signal.kind,
            Vorhaben.id.label("vorhaben_id"),
            Vorhaben.title,
            Municipality.name,
            Municipality.level,
            Municipality.kind_code,
        )
        .join(Vorhaben, Vorhaben.id == Signal.vorhaben_id)
        .join(Follow, followed)
        .join(Municipality, Municipality.id == Signal.municipality_id)
        .where(
            visible_clause(member),
            Signal.municipality_id != own_town,  # one's own municipality's signals are known
            Signal.created_at >= since,
        )
        .order_by(Signal.created_at.desc())
        .limit(limit)
    ).all()
    found = [
        *(
            Activity(
                "comment",
                row.created_at,
                row.vorhaben_id,
                row.title,
                shown_name(row.display_name, row.state),
                "",
                f"#kommentar-{row.id}",
            )
            for row in comments
        ),
        *(
            Activity(
                "stage",
                row.created_at,
                row.vorhaben_id,
                row.title,
                shown_name(row.display_name, row.state),
                STAGE_LABELS[row.to_stage],
                "#timeline-title",
            )
            for row in steps
        ),
        *(
            Activity(
                "signal",
                row.created_at,
                row.vorhaben_id,
                row.title,
                distinct_name(row.name, row.level, row.kind_code),
                SIGNAL_LABELS[row.kind],
                "#zusammenarbeit",
            )
            for row in signals
        ),
    ]
    found.sort(key=lambda entry: entry.at, reverse=True)
    return found[:limit]


def _open_signals(db: Session, member: Account, limit: int) -> tuple[list[OpenSignal], int]:
    """Signals on the member's municipality's Vorhaben that nobody there has marked as seen
    (however old: an unanswered offer to cooperate does not expire by itself)."""
    if member.municipality_id is None:
        return [], 0
    conditions = (
        Vorhaben.municipality_id == member.municipality_id,
        visible_clause(member),
        Signal.acknowledged_at.is_(None),
    )
    rows = db.execute(
        select(Signal, Vorhaben.id, Vorhaben.title)
        .join(Vorhaben, Vorhaben.id == Signal.vorhaben_id)
        .where(*conditions)
        .options(
            joinedload(Signal.municipality).load_only(
                Municipality.name, Municipality.ags, Municipality.level, Municipality.kind_code
            )
        )
        .order_by(Signal.created_at.desc(), Signal.id.desc())
        .limit(limit)
    ).all()
    count = len(rows)
    if count == limit:
        count = (
            db.scalar(
                select(func.count())
                .select_from(Signal)
                .join(Vorhaben, Vorhaben.id == Signal.vorhaben_id)
                .where(*conditions)
            )
            or 0
        )
    found = [
        OpenSignal(
            row.Signal.id,
            row.Signal.kind,
            row.Signal.municipality.ags,
            row.Signal.municipality.display_name,
            row.id,
            row.title,
        )
        for row in rows
    ]
    return found, count
