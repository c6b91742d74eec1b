"""Dates as the pages list them: a Vorhaben's, a circle's or a topic's (upcoming first, the
past apart), the next ones of a member's Vorhaben and circles (dashboard) and those of the
calendar feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles.models import Circle, Topic
from app.core.clock import BERLIN, utcnow
from app.core.json_rows import json_rows, maybe_stamp, stamp
from app.dates import service
from app.dates.models import KIND_LABELS, Kind, Termin
from app.dates.service import Owner, OwnerKind
from app.vorhaben.models import Follow, Vorhaben
from app.vorhaben.provided import Shown
from app.vorhaben.visibility import Reader, circle_content_clause, visible_clause

# How far back the feed reaches: calendar apps keep what they saw before.
FEED_PAST = dt.timedelta(days=90)
FEED_LIMIT = 500


@dataclass(frozen=True, slots=True)
class TerminView:
    id: int
    owner_kind: OwnerKind
    owner_title: str
    href: str  # the owner's page
    kind: Kind
    kind_label: str  # N_() marked; the template translates it
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    all_day: bool
    place: str
    link: str | None
    note: str
    sequence: int
    updated_at: dt.datetime

    @property
    def start_local(self) -> dt.datetime:
        return self.starts_at.astimezone(BERLIN)

    @property
    def end_local(self) -> dt.datetime | None:
        return self.ends_at.astimezone(BERLIN) if self.ends_at else None

    @property
    def single_day(self) -> bool:
        end = self.end_local
        return end is None or end.date() == self.start_local.date()

    def is_past(self, now: dt.datetime) -> bool:
        """Over: its end (or, without one, its start) lies before today (whole days) or now."""
        last = self.ends_at or self.starts_at
        if self.all_day:
            return last.astimezone(BERLIN).date() < now.astimezone(BERLIN).date()
        return last < now


@dataclass(frozen=True)
class Listing:
    upcoming: tuple[TerminView, ...] = ()
    past: tuple[TerminView, ...] = ()


_Row = tuple[Termin, str | None, str | None, int | None, str | None]


def _select() -> Select[Termin, str | None, str | None, int | None, str | None]:
    """A date with its owner's title (and a topic's circle), whichever kind it is."""
    return (
        select(Termin, Vorhaben.title, Topic.title, Topic.circle_id, Circle.name)
        .outerjoin(Vorhaben, Vorhaben.id == Termin.vorhaben_id)
        .outerjoin(Topic, Topic.id == Termin.topic_id)
        .outerjoin(Circle, Circle.id == Termin.circle_id)
    )


def _owner(
    vorhaben_id: int | None,
    topic_id: int | None,
    circle_id: int | None,
    vorhaben_title: str | None,
    topic_title: str | None,
    topic_circle_id: int | None,
    circle_name: str | None,
) -> tuple[OwnerKind, str, str]:
    """Kind, title and page of a date's owner, from the owner columns (_OWNER_COLUMNS)."""
    if vorhaben_id is not None:
        return OwnerKind.VORHABEN, vorhaben_title or "", f"/vorhaben/{vorhaben_id}"
    if topic_id is not None:
        return OwnerKind.TOPIC, topic_title or "", f"/kreise/{topic_circle_id}/themen/{topic_id}"
    return OwnerKind.CIRCLE, circle_name or "", f"/kreise/{circle_id}"


def _owner_of(row: _Row) -> tuple[OwnerKind, str, str]:
    termin, vorhaben_title, topic_title, topic_circle_id, circle_name = row
    return _owner(
        termin.vorhaben_id,
        termin.topic_id,
        termin.circle_id,
        vorhaben_title,
        topic_title,
        topic_circle_id,
        circle_name,
    )


def _views(rows: Iterable[_Row]) -> list[TerminView]:
    return [view(row[0], *_owner_of(row)) for row in rows]


def view(termin: Termin, owner_kind: OwnerKind, owner_title: str, href: str) -> TerminView:
    """A loaded date as the pages and calendars show it."""
    return TerminView(
        id=termin.id,
        owner_kind=owner_kind,
        owner_title=owner_title,
        href=href,
        kind=termin.kind,
        kind_label=termin.kind_label,
        title=termin.title,
        starts_at=termin.starts_at,
        ends_at=termin.ends_at,
        all_day=termin.all_day,
        place=termin.place,
        link=termin.link,
        note=termin.note,
        sequence=termin.sequence,
        updated_at=termin.updated_at,
    )


# What a listed date shows, in the order of the JSON rows the pages' statements carry, and
# (dashboard) its owner's, in the order of _owner()'s parameters.
_VIEW_COLUMNS = (
    Termin.id,
    Termin.kind,
    Termin.title,
    Termin.starts_at,
    Termin.ends_at,
    Termin.all_day,
    Termin.place,
    Termin.link,
    Termin.note,
    Termin.sequence,
    Termin.updated_at,
)
_OWNER_COLUMNS = (
    Termin.vorhaben_id,
    Termin.topic_id,
    Termin.circle_id,
    Vorhaben.title,
    Topic.title,
    Topic.circle_id,
    Circle.name,
)


def _view_of(values: Sequence[Any], owner: tuple[OwnerKind, str, str]) -> TerminView:
    """A date from the values of _VIEW_COLUMNS as JSON gives them (text, numbers)."""
    key, kind, title, starts, ends, all_day, place, link, note, seq, updated = values
    kind = Kind(kind)
    owner_kind, owner_title, href = owner
    return TerminView(
        id=key,
        owner_kind=owner_kind,
        owner_title=owner_title,
        href=href,
        kind=kind,
        kind_label=KIND_LABELS[kind],
        title=title,
        starts_at=stamp(starts),
        ends_at=maybe_stamp(ends),
        all_day=bool(all_day),
        place=place,
        link=link,
        note=note,
        sequence=seq,
        updated_at=stamp(updated),
    )


def of_owner(termin: Termin, owner: Owner) -> TerminView:
    """A date of a loaded owner."""
    return view(termin, owner.kind, owner.title, owner.href)


def _soonest_first(views: Iterable[TerminView]) -> list[TerminView]:
    return sorted(views, key=lambda view: (view.starts_at, view.id))


def _listing(views: Iterable[TerminView]) -> Listing:
    """Upcoming soonest first, past ones latest first."""
    now = utcnow()
    ordered = _soonest_first(views)
    upcoming = tuple(view for view in ordered if not view.is_past(now))
    past = tuple(reversed([view for view in ordered if view.is_past(now)]))
    return Listing(upcoming, past)


def _read(db: Session, where: ColumnElement[bool]) -> Listing:
    return _listing(_views(db.execute(_select().where(where))))


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """A Vorhaben's dates: upcoming soonest first, past ones latest first (the caller
    checked that the reader may see the Vorhaben)."""
    return _read(db, Termin.vorhaben_id == vorhaben_id)


def of_circle(db: Session, circle_id: int) -> Listing:
    """A circle's own dates (the caller checked that the reader is an active member)."""
    return _read(db, Termin.circle_id == circle_id)


def of_topic(db: Session, topic_id: int) -> Listing:
    """A topic's dates (the caller checked that the reader may see the topic)."""
    return _read(db, Termin.topic_id == topic_id)


def page_column(vorhaben_id: ColumnElement[int]) -> ColumnElement[Any]:
    """The dates of the Vorhaben `vorhaben_id` (a column of the enclosing statement) as one
    JSON value: the Vorhaben page reads them with the Vorhaben (app.wiring hands this in)."""
    query = select(*_VIEW_COLUMNS).where(Termin.vorhaben_id == vorhaben_id)
    return json_rows(query.correlate_except(Termin))


def page_values(value: list[list[Any]], vorhaben: Shown) -> dict[str, object]:
    """What the Vorhaben page shows of its dates, from page_column()'s value."""
    owner = (OwnerKind.VORHABEN, vorhaben.title, f"/vorhaben/{vorhaben.id}")
    return {
        "termine": _listing(_view_of(values, owner) for values in value),
        "termine_new": f"/vorhaben/{vorhaben.id}/termine/neu",
    }


def _owner_context(
    db: Session, member: Account, owner: Owner, listing: Listing
) -> dict[str, object]:
    allowed = service.may_add(db, member, owner)
    return {
        "termine": listing,
        "termine_new": owner.new_href if allowed else None,
        "termine_manage": allowed,
    }


def circle_context(db: Session, member: Account, circle_id: int) -> dict[str, object]:
    """What a circle's page shows of its dates, for one of its active members (404 for
    anyone else)."""
    found = service.owner(db, member, circle_id=circle_id)
    return _owner_context(db, member, found, of_circle(db, circle_id))


def topic_context(db: Session, member: Account, topic_id: int) -> dict[str, object]:
    """What a topic's page shows of its dates, for whoever may see the topic (404 for
    anyone else)."""
    found = service.owner(db, member, topic_id=topic_id)
    return _owner_context(db, member, found, of_topic(db, topic_id))


def _mine(member: Reader) -> Select[Termin, str | None, str | None, int | None, str | None]:
    """Dates of the Vorhaben the member follows or wrote, limited to what they may see, and
    those of the circles they are an active member of (and of those circles' topics)."""
    followed = select(Follow.vorhaben_id).where(Follow.account_id == member.id)
    return _select().where(
        or_(
            and_(
                or_(Vorhaben.id.in_(followed), Vorhaben.author_id == member.id),
                visible_clause(member),
            ),
            and_(
                Termin.vorhaben_id.is_(None),
                circle_content_clause(member, func.coalesce(Termin.circle_id, Topic.circle_id)),
            ),
        )
    )


def upcoming_column(member: Reader, since: Any, *, limit: int = 5) -> ColumnElement[Any]:
    """The member's next dates (dashboard: "Nächste Termine"), their Vorhaben's and
    circles', as one JSON value for the dashboard's statement: dates not over by `since` (a
    day ago: a whole-day date started at midnight stays "next" until the day is over),
    soonest first. `member` may name the reader by bound parameters (ReaderColumns);
    upcoming() reads the value."""
    query = (
        _mine(member)
        .where(or_(Termin.starts_at >= since, Termin.ends_at >= since))
        .order_by(Termin.starts_at, Termin.id)
        .limit(limit + 10)  # a few over (past ones of today are left out below)
        .with_only_columns(*_VIEW_COLUMNS, *_OWNER_COLUMNS, maintain_column_froms=True)
    )
    return json_rows(query, limited=True)


def upcoming_since() -> dt.datetime:
    """The `since` of upcoming_column(), now."""
    return utcnow() - dt.timedelta(days=1)


def upcoming(value: list[list[Any]], *, limit: int = 5) -> tuple[TerminView, ...]:
    """The member's next dates from upcoming_column()'s value."""
    now = utcnow()
    width = len(_VIEW_COLUMNS)
    views = _soonest_first(_view_of(values[:width], _owner(*values[width:])) for values in value)
    return tuple(view for view in views if not view.is_past(now))[:limit]


def for_feed(db: Session, member: Account) -> tuple[TerminView, ...]:
    """The dates of the member's calendar feed: recent and coming ones they may see now."""
    since = utcnow() - FEED_PAST
    rows = db.execute(
        _mine(member)
        .where(or_(Termin.starts_at >= since, Termin.ends_at >= since))
        .order_by(Termin.starts_at, Termin.id)
        .limit(FEED_LIMIT)
    )
    return tuple(_views(rows))
