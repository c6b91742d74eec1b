"""What is new for a member: in their Land, in their fields, on what they follow, and the
open signals for their municipality."""

from __future__ import annotations

import datetime as dt
import functools
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
    exists,
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
from app.dashboard import welcome
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
from app.vorhaben.repository import Card, card_select, run_card_selects
from app.vorhaben.visibility import ReaderColumns, comment_visible_clause, visible_clause

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
    land, interests, first_steps = _member_facts(db, member)
    bound = {"reader_id": member.id, "reader_municipality_id": member.municipality_id}
    statements: list[tuple[Select[Any], dict[str, Any]]] = []
    if land is not None:
        statements.append((_new_in_land(limit), {**bound, "land_id": land[0], "since": since}))
    if interests:
        field_ids = [field_id for field_id, _label in interests]
        statements.append((_in_fields(limit), {**bound, "field_ids": field_ids}))
    found = run_card_selects(db, statements)  # their fields and tags in one statement
    new_in_land: list[Card] = found.pop(0) if land is not None else []
    in_my_fields: list[Card] = found.pop(0) if interests else []
    activity, open_signals, open_count = news(db, member, since, limit=limit * 2)
    return Dashboard(
        land_name=land[1] if land else None,
        new_in_land=tuple(new_in_land),
        interests=tuple(label for _id, label in interests),
        in_my_fields=tuple(in_my_fields),
        followed_activity=tuple(activity),
        open_signals=tuple(open_signals),
        open_signal_count=open_count,
        first_steps=first_steps,
    )


def _member_facts(
    db: Session, member: Account
) -> tuple[tuple[int, str] | None, list[tuple[int, str]], welcome.FirstSteps | None]:
    """The Land of the member's municipality (id, name), their fields of action (id, label,
    in their order) and, for a new member, the first steps: in one statement, a branch for
    each told apart by `part` (0 the Land, 1 a field, 2 the steps taken)."""
    bound = {"reader_id": member.id, "reader_municipality_id": member.municipality_id}
    rows = db.execute(_facts_statement(welcome.is_new(member)), bound).all()
    found_land = next(((row.id, row.label) for row in rows if row.part == 0), None)
    interests = [(row.id, row.label) for row in rows if row.part == 1]
    steps = next(
        (
            welcome.steps(bool(interests), bool(row.id), bool(row.position))
            for row in rows
            if row.part == 2
        ),
        None,
    )
    return found_land, interests, steps


@functools.cache
def _new_in_land(limit: int) -> Select[Any]:
    """The newest Vorhaben in the Land `:land_id` since `:since` (cards), built once."""
    return card_select(
        select(Vorhaben)
        .join(Municipality, Municipality.id == Vorhaben.municipality_id)
        .where(
            visible_clause(_READER),
            Municipality.land_id == bindparam("land_id", type_=Integer),
            Vorhaben.created_at >= bindparam("since", type_=Vorhaben.created_at.type),
        )
        .order_by(Vorhaben.created_at.desc(), Vorhaben.id.desc())
        .limit(limit)
    )


@functools.cache
def _in_fields(limit: int) -> Select[Any]:
    """The Vorhaben last active in the fields `:field_ids` (cards), built once."""
    return card_select(
        select(Vorhaben)
        .where(
            visible_clause(_READER),
            exists().where(
                VorhabenField.vorhaben_id == Vorhaben.id,
                VorhabenField.field_id.in_(bindparam("field_ids", expanding=True)),
            ),
        )
        .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
        .limit(limit)
    )


@functools.cache
def _facts_statement(with_steps: bool) -> Select[Any]:
    """The statement of _member_facts(), built once (with or without the first steps)."""
    home = aliased(Municipality, name="home")
    land = (
        select(
            literal(0).label("part"),
            Municipality.id.label("id"),
            Municipality.name.label("label"),
            literal(0).label("position"),
        )
        .join(home, home.land_id == Municipality.id)
        .where(home.id == _READER.municipality_id)  # NULL (no municipality) matches nothing
    )
    fields = (
        select(literal(1), FieldOfAction.id, FieldOfAction.label, FieldOfAction.position)
        .join(Interest, Interest.field_id == FieldOfAction.id)
        .where(Interest.account_id == _READER.id)
    )
    parts = [land, fields]
    if with_steps:
        follows_others, shared_one = (
            case((taken, 1), else_=0) for taken in welcome.steps_taken(_READER.id)
        )
        parts.append(select(literal(2), follows_others, cast(null(), String), shared_one))
    facts = union_all(*parts).subquery("facts")
    return select(*facts.c).order_by(facts.c.part, facts.c.position)


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


# The reader of the dashboard's statements, their values bound when they run.
_READER = ReaderColumns(
    bindparam("reader_id", type_=Integer), bindparam("reader_municipality_id", type_=Integer)
)
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
