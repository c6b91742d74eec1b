"""Dates as the pages list them: a Vorhaben's (upcoming first, the past apart), the next
ones of a member's Vorhaben (dashboard) and those of the calendar feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.core.clock import BERLIN, utcnow
from app.dates.models import Kind, Termin
from app.vorhaben.models import Follow, Vorhaben
from app.vorhaben.visibility import visible_clause

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


def of_vorhaben(db: Session, vorhaben_id: int) -> Listing:
    """A Vorhaben's dates: upcoming soonest first, past ones latest first (the caller
    checked that the reader may see the Vorhaben)."""
    rows = db.execute(
        _select().where(Termin.vorhaben_id == vorhaben_id).order_by(Termin.starts_at, Termin.id)
    )
    now = utcnow()
    views = [view(termin, vorhaben_id, title) for termin, vorhaben_id, title in rows]
    upcoming = tuple(view for view in views if not view.is_past(now))
    past = tuple(reversed([view for view in views if view.is_past(now)]))
    return Listing(upcoming, past)


def page_context(db: Session, vorhaben_id: int) -> dict[str, object]:
    """What the Vorhaben page shows of its dates (handed to it by app.wiring)."""
    return {"termine": of_vorhaben(db, vorhaben_id)}


def _mine(member: Account) -> Select[Termin, int, str]:
    """Dates of the Vorhaben the member follows or wrote, limited to what they may see."""
    followed = select(Follow.vorhaben_id).where(Follow.account_id == member.id)
    return _select().where(
        or_(Vorhaben.id.in_(followed), Vorhaben.author_id == member.id),
        visible_clause(member),
    )


def upcoming_for(db: Session, member: Account, *, limit: int = 5) -> tuple[TerminView, ...]:
    """The member's next dates (dashboard: "Nächste Termine")."""
    now = utcnow()
    # Whole-day dates started at midnight: a day's date stays "next" until the day is over.
    since = now - dt.timedelta(days=1)
    rows = db.execute(
        _mine(member)
        .where(or_(Termin.starts_at >= since, Termin.ends_at >= since))
        .order_by(Termin.starts_at, Termin.id)
        .limit(limit + 10)
    )
    views = [view(termin, vorhaben_id, title) for termin, vorhaben_id, title in rows]
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
