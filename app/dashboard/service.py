"""What is new for a member: in their Land, in their fields, on what they follow, and the
open signals for their municipality."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.accounts.models import Account, shown_name
from app.comments import links as comment_links
from app.comments.models import Comment
from app.core.clock import utcnow
from app.dashboard import cards as dashboard_cards
from app.dashboard import welcome
from app.dates import views as date_views
from app.municipalities.models import Municipality, distinct_name
from app.vorhaben import circle_cards
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
)
from app.vorhaben.repository import Card
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
    href: str  # where it is: the Vorhaben page, or the page of its discussion that holds it


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
    first_steps: welcome.FirstSteps | None  # for a new member (None when all are taken)
    circles: circle_cards.MyCircles
    next_dates: tuple[date_views.TerminView, ...]

    @property
    def followed_groups(self) -> list[Group[Activity]]:
        return by_vorhaben(self.followed_activity)

    @property
    def open_signal_groups(self) -> list[Group[OpenSignal]]:
        return by_vorhaben(self.open_signals)


def build(db: Session, member: Account, *, limit: int = 6) -> Dashboard:
    """The dashboard of one member (every list goes through the visibility rule), in four
    statements: the member's facts (with their circles and next dates), the cards of all
    lists, their fields and tags, and the news (test_statements counts them)."""
    return _build(db, member, utcnow() - RECENT, limit)


def _build(db: Session, member: Account, since: dt.datetime, limit: int) -> Dashboard:
    facts = _member_facts(db, member)
    land, interests = facts.land, facts.interests
    bound: dict[str, Any] = {
        "reader_id": member.id,
        "reader_municipality_id": member.municipality_id,
    }
    if land is not None:
        bound.update(land_id=land[0], since=since)
    if interests:
        bound["field_ids"] = [field_id for field_id, _label in interests]
    in_circles = any(active for _id, _name, active in facts.circles)
    lists = dashboard_cards.card_lists(
        db, bound, land=land is not None, fields=bool(interests), circles=in_circles, limit=limit
    )
    new_in_land, in_my_fields, in_my_circles = lists
    activity, open_signals, open_count = news(db, member, since, limit=limit * 2)
    return Dashboard(
        land_name=land[1] if land else None,
        new_in_land=dashboard_cards.latest(new_in_land, "created_at"),
        interests=tuple(label for _id, label in interests),
        in_my_fields=dashboard_cards.latest(in_my_fields, "last_activity_at"),
        followed_activity=tuple(activity),
        open_signals=tuple(open_signals),
        open_signal_count=open_count,
        first_steps=facts.first_steps,
        circles=circle_cards.overview(facts.circles, in_my_circles),
        next_dates=facts.next_dates,
    )


@dataclass(frozen=True)
class _Facts:
    land: tuple[int, str] | None  # of the member's municipality: id, name
    interests: list[tuple[int, str]]  # the member's fields of action: id, label
    first_steps: welcome.FirstSteps | None
    circles: list[tuple[int, str, bool]]  # id, name, whether active (else invited)
    next_dates: tuple[date_views.TerminView, ...]


# The parts of the facts statement (its column `part`).
_LAND, _FIELD, _STEPS, _ACTIVE_CIRCLE, _INVITED, _DATES = range(6)


def _member_facts(db: Session, member: Account) -> _Facts:
    """The Land of the member's municipality, their fields of action, for a new member
    the first steps, their circles and invitations and their next dates: in one statement,
    a branch for each told apart by `part`."""
    bound = {
        "reader_id": member.id,
        "reader_municipality_id": member.municipality_id,
        "dates_since": date_views.upcoming_since(),
    }
    rows = db.execute(_facts_statement(welcome.is_new(member)), bound).all()
    interests = [(row.id, row.label) for row in rows if row.part == _FIELD]
    steps = None
    next_dates: tuple[date_views.TerminView, ...] = ()
    for row in rows:
        if row.part == _STEPS:
            steps = welcome.steps(bool(interests), bool(row.id), bool(row.position))
        elif row.part == _DATES:
            next_dates = date_views.upcoming(json.loads(row.label))
    return _Facts(
        land=next(((row.id, row.label) for row in rows if row.part == _LAND), None),
        interests=interests,
        first_steps=steps,
        circles=[
            (row.id, row.label, row.part == _ACTIVE_CIRCLE)
            for row in rows
            if row.part in (_ACTIVE_CIRCLE, _INVITED)
        ],
        next_dates=next_dates,
    )


@functools.cache
def _facts_statement(with_steps: bool) -> Select[Any]:
    """The statement of _member_facts(), built once (with or without the first steps)."""
    home = aliased(Municipality, name="home")
    land = (
        select(
            literal(_LAND).label("part"),
            Municipality.id.label("id"),
            Municipality.name.label("label"),
            literal(0).label("position"),
        )
        .join(home, home.land_id == Municipality.id)
        .where(home.id == _READER.municipality_id)  # NULL (no municipality) matches nothing
    )
    fields = (
        select(literal(_FIELD), FieldOfAction.id, FieldOfAction.label, FieldOfAction.position)
        .join(Interest, Interest.field_id == FieldOfAction.id)
        .where(Interest.account_id == _READER.id)
    )
    circles = circle_cards.memberships_select(_READER).subquery("my_circles")
    active = case((circles.c.active, literal(_ACTIVE_CIRCLE)), else_=literal(_INVITED))
    dates = date_views.upcoming_column(
        _READER, bindparam("dates_since", type_=Vorhaben.created_at.type)
    )
    parts = [
        land,
        fields,
        select(active, circles.c.id, circles.c.name, literal(0)),
        # One row: the next dates as JSON text (app.dates decides what they are).
        select(literal(_DATES), cast(null(), Integer), cast(dates, String), literal(0)),
    ]
    if with_steps:
        follows_others, shared_one = (
            case((taken, 1), else_=0) for taken in welcome.steps_taken(_READER.id)
        )
        parts.append(select(literal(_STEPS), follows_others, cast(null(), String), shared_one))
    facts = union_all(*parts).subquery("facts")
    # Circles by name (their position is 0), fields by their position.
    return select(*facts.c).order_by(facts.c.part, facts.c.position, facts.c.label, facts.c.id)


def news(
    db: Session, member: Account, since: dt.datetime, *, limit: int
) -> tuple[list[Activity], list[OpenSignal], int]:
    """What happened on the Vorhaben the member follows (comments, stage changes and
    signals by others, newest first), and the open signals for their municipality with
    their count: one statement, a branch for each, told apart by `kind`."""
    bound = {
        "reader_id": member.id,
        "reader_municipality_id": member.municipality_id,
        "own_town": member.municipality_id if member.municipality_id is not None else -1,
        "since": since,
    }
    rows = db.execute(_news_statement(limit), bound).all()
    found: list[Activity] = []
    signals: list[OpenSignal] = []
    count = 0
    for row in rows:
        if row.kind == "open":
            signals.append(
                OpenSignal(
                    row.row_id,
                    row.signal_kind,
                    row.place_ags,
                    distinct_name(row.place_name, row.place_level, row.place_kind_code),
                    row.vorhaben_id,
                    row.title,
                )
            )
            count = row.total
        elif row.kind == "comment":
            who = shown_name(row.person, row.person_state)
            found.append(
                Activity(
                    "comment", row.at, row.vorhaben_id, row.title, who, "",
                    comment_links.address(row.vorhaben_id, row.row_id, row.page_until),
                )
            )  # fmt: skip
        elif row.kind == "stage":
            who = shown_name(row.person, row.person_state)
            what = STAGE_LABELS[row.stage]
            found.append(
                Activity(
                    "stage",
                    row.at,
                    row.vorhaben_id,
                    row.title,
                    who,
                    what,
                    f"/vorhaben/{row.vorhaben_id}#timeline-title",
                )
            )
        else:
            who = distinct_name(row.place_name, row.place_level, row.place_kind_code)
            what = SIGNAL_LABELS[row.signal_kind]
            found.append(
                Activity(
                    "signal",
                    row.at,
                    row.vorhaben_id,
                    row.title,
                    who,
                    what,
                    f"/vorhaben/{row.vorhaben_id}#zusammenarbeit",
                )
            )
    # Merged newest first; at the same moment a comment before a stage change before a
    # signal (a stable sort of the kinds in that order).
    found.sort(key=lambda entry: _KIND_ORDER[entry.kind])
    found.sort(key=lambda entry: entry.at, reverse=True)
    return found[:limit], signals, count


@functools.cache
def _news_statement(limit: int) -> Select[Any]:
    """The statement of news(), built once: the member's values are bound when it runs."""
    member = _READER
    followed = (Follow.vorhaben_id == Vorhaben.id) & (Follow.account_id == member.id)
    own_town = bindparam("own_town", type_=Integer)
    since = bindparam("since", type_=Comment.created_at.type)

    def row(kind: str, at: Any, row_id: Any, **present: Any) -> list[Any]:
        """The columns of one branch: the shared ones, then what it has (NULL elsewhere)."""
        columns = [literal(kind).label("kind"), at.label("at"), row_id.label("row_id")]
        columns += [Vorhaben.id.label("vorhaben_id"), Vorhaben.title.label("title")]
        for name, column in _NEWS_COLUMNS.items():
            value = present.get(name)
            columns.append((value if value is not None else cast(null(), column.type)).label(name))
        return columns

    comments = (
        select(*row("comment", Comment.created_at, Comment.id, person=Account.display_name,
                    person_state=Account.state))
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
    )  # fmt: skip
    steps = (
        select(*row("stage", StageChange.created_at, StageChange.id, person=Account.display_name,
                    person_state=Account.state, stage=StageChange.to_stage))
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
    )  # fmt: skip
    place = {
        "place_name": Municipality.name,
        "place_level": Municipality.level,
        "place_kind_code": Municipality.kind_code,
    }
    signals = (
        select(*row("signal", Signal.created_at, Signal.id, signal_kind=Signal.kind, **place))
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
    )
    # Signals on the member's municipality's Vorhaben that nobody there has marked as
    # seen (however old: an unanswered offer to cooperate does not expire by itself),
    # with how many there are in all (the window counts before the limit). Without a
    # municipality (NULL) there are none.
    total = func.count().over()
    branches = [
        comments,
        steps,
        signals,
        select(*row("open", Signal.created_at, Signal.id, signal_kind=Signal.kind,
                    place_ags=Municipality.ags, total=total, **place))
        .join(Vorhaben, Vorhaben.id == Signal.vorhaben_id)
        .outerjoin(Municipality, Municipality.id == Signal.municipality_id)
        .where(
            Vorhaben.municipality_id == member.municipality_id,
            visible_clause(member),
            Signal.acknowledged_at.is_(None),
        )
        .order_by(Signal.created_at.desc(), Signal.id.desc())
        .limit(limit),
    ]  # fmt: skip
    # Each branch keeps its own order and limit in a subquery of its own. Where a comment
    # is in its discussion is found for the comments kept only (their page, comment_links).
    parts = [select(*branch.subquery().c) for branch in branches]
    kept = branches[0].subquery()
    parts[0] = select(
        *(column for column in kept.c if column.key != "page_until"),
        comment_links.until_column(kept.c.row_id).label("page_until"),
    )
    everything = union_all(*parts).subquery("news")
    return select(*everything.c).order_by(
        everything.c.kind, everything.c.at.desc(), everything.c.row_id.desc()
    )


_READER = dashboard_cards.READER
_KIND_ORDER = {"comment": 0, "stage": 1, "signal": 2}

# The columns only some branches of the news statement have (typed NULL in the others).
_NEWS_COLUMNS: dict[str, Any] = {
    "person": Account.display_name,
    "person_state": Account.state,
    "stage": StageChange.to_stage,
    "signal_kind": Signal.kind,
    "place_ags": Municipality.ags,
    "place_name": Municipality.name,
    "place_level": Municipality.level,
    "place_kind_code": Municipality.kind_code,
    "total": Comment.id,  # an integer
    "page_until": Comment.id,  # a comment's page of its discussion (comment_links)
}
