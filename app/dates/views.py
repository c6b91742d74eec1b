"""Dates as the pages list them: a Vorhaben's (upcoming first, the past apart), the next
ones of a member's Vorhaben (dashboard) and those of the calendar feed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.core.clock import BERLIN, utcnow
from app.core.json_rows import json_rows, maybe_stamp, stamp
from app.dates.models import KIND_LABELS, Kind, Termin
from app.vorhaben.models import Follow, Vorhaben
from app.vorhaben.visibility import Reader, visible_clause

# How far back the feed reaches: calendar apps keep what they saw before.
FEED_PAST = dt.timedelta(days=90)
FEED_LIMIT = 500


@dataclass(frozen=True, slots=True)
class TerminView:
    id: int
    vorhaben_id: int
    vorhaben_title: str
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


class Titled(Protocol):
    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class Listing:
    upcoming: tuple[TerminView, ...] = ()
    past: tuple[TerminView, ...] = ()


def _select() -> Select[Termin, int, str]:
    return select(Termin, Vorhaben.id, Vorhaben.title).join(
        Vorhaben, Vorhaben.id == Termin.vorhaben_id
    )


def view(termin: Termin, vorhaben_id: int, vorhaben_title: str) -> TerminView:
    """A loaded date as the pages and calendars show it."""
    return TerminView(
        id=termin.id,
        vorhaben_id=vorhaben_id,
        vorhaben_title=vorhaben_title,
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


# What a listed date shows, in the order of the JSON rows the pages' statements carry.
_VIEW_COLUMNS = (
    Termin.id,
    Termin.vorhaben_id,
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


def _view_of(values: Sequence[Any], vorhaben_title: str) -> TerminView:
    """A date from the values of _VIEW_COLUMNS as JSON gives them (text, numbers)."""
    key, vorhaben_id, kind, title, starts, ends, all_day, place, link, note, seq, updated = values
    kind = Kind(kind)
    return TerminView(
        id=key,
        vorhaben_id=vorhaben_id,
        vorhaben_title=vorhaben_title,
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


def _soonest_first(views: Iterable[TerminView]) -> list[TerminView]:
    return sorted(views, key=lambda view: (view.starts_at, view.id))


def _listing(views: Iterable[TerminView]) -> Listing:
    """Upcoming soonest first, past ones latest first."""
    now = utcnow()
    ordered = _soonest_first(views)
    upcoming = tuple(view for view in ordered if not view.is_past(now))
    past = tuple(reversed([view for view in ordered if view.is_past(now)]))
    return Listing(upcoming, past)


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """A Vorhaben's dates: upcoming soonest first, past ones latest first (the caller
    checked that the reader may see the Vorhaben)."""
    rows = db.execute(_select().where(Termin.vorhaben_id == vorhaben_id))
    return _listing(view(termin, vorhaben_id, title) for termin, vorhaben_id, title in rows)


def page_column(vorhaben_id: ColumnElement[int]) -> ColumnElement[Any]:
    """The dates of the Vorhaben `vorhaben_id` (a column of the enclosing statement) as one
    JSON value: the Vorhaben page reads them with the Vorhaben (app.wiring hands this in)."""
    query = select(*_VIEW_COLUMNS).where(Termin.vorhaben_id == vorhaben_id)
    return json_rows(query.correlate_except(Termin))


def page_values(value: list[list[Any]], vorhaben: Titled) -> dict[str, object]:
    """What the Vorhaben page shows of its dates, from page_column()'s value."""
    return {"termine": _listing(_view_of(values, vorhaben.title) for values in value)}


def _mine(member: Reader) -> Select[Termin, int, str]:
    """Dates of the Vorhaben the member follows or wrote, limited to what they may see."""
    followed = select(Follow.vorhaben_id).where(Follow.account_id == member.id)
    return _select().where(
        or_(Vorhaben.id.in_(followed), Vorhaben.author_id == member.id),
        visible_clause(member),
    )


def upcoming_column(member: Reader, since: Any, *, limit: int = 5) -> ColumnElement[Any]:
    """The member's next dates (dashboard: "Nächste Termine") as one JSON value, for the
    dashboard's statement: dates not over by `since` (a day ago: a whole-day date started
    at midnight stays "next" until the day is over), soonest first. `member` may name the
    reader by bound parameters (ReaderColumns); upcoming() reads the value."""
    query = (
        _mine(member)
        .where(or_(Termin.starts_at >= since, Termin.ends_at >= since))
        .order_by(Termin.starts_at, Termin.id)
        .limit(limit + 10)  # a few over (past ones of today are left out below)
        .with_only_columns(*_VIEW_COLUMNS, Vorhaben.title, maintain_column_froms=True)
    )
    return json_rows(query, limited=True)


def upcoming_since() -> dt.datetime:
    """The `since` of upcoming_column(), now."""
    return utcnow() - dt.timedelta(days=1)


def upcoming(value: list[list[Any]], *, limit: int = 5) -> tuple[TerminView, ...]:
    """The member's next dates from upcoming_column()'s value."""
    now = utcnow()
    views = _soonest_first(_view_of(values[:-1], values[-1]) for values in value)
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
    return tuple(view(termin, vorhaben_id, title) for termin, vorhaben_id, title in rows)
