"""Circles as a reader finds them: the list, one circle as one reader may see it, its
members, and the member search for invitations (read-side SQL; app.circles.service
writes)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState
from app.circles.models import Circle, CircleMembership, CircleRole, MembershipState
from app.core.errors import NotFound
from app.core.text import clean_line
from app.i18n import gettext as _

FIRST_MODERATORS_MAX = 20


def membership(db: Session, circle_id: int, account_id: int) -> CircleMembership | None:
    """The account's membership row in the circle, whatever its state."""
    return db.scalar(
        select(CircleMembership).where(
            CircleMembership.circle_id == circle_id, CircleMembership.account_id == account_id
        )
    )


def active_circles(db: Session, account_id: int) -> list[Circle]:
    """The circles the account is an active member of, by name."""
    return list(
        db.scalars(
            select(Circle)
            .join(CircleMembership, CircleMembership.circle_id == Circle.id)
            .where(
                CircleMembership.account_id == account_id,
                CircleMembership.state == MembershipState.ACTIVE,
            )
            .order_by(Circle.name, Circle.id)
        )
    )


def active_circle_ids(db: Session, account_id: int) -> set[int]:
    """The ids of the circles the account is an active member of."""
    return set(
        db.scalars(
            select(CircleMembership.circle_id).where(
                CircleMembership.account_id == account_id,
                CircleMembership.state == MembershipState.ACTIVE,
            )
        )
    )


@dataclass(frozen=True)
class CircleEntry:
    """A circle in the list, with the reader's own membership (None: not in it)."""

    circle: Circle
    mine: CircleMembership | None
    member_count: int


def listing(db: Session, reader: Account) -> list[CircleEntry]:
    """Listed circles and the reader's own (an unlisted one only to those in it, or
    invited to it)."""
    mine = {
        row.circle_id: row
        for row in db.scalars(
            select(CircleMembership).where(CircleMembership.account_id == reader.id)
        )
    }
    own_ids = {cid for cid, row in mine.items() if row.state is not MembershipState.REQUESTED}
    circles = db.scalars(
        select(Circle)
        .where(or_(Circle.listed.is_(True), Circle.id.in_(own_ids)))
        .order_by(Circle.name, Circle.id)
    ).all()
    counted = db.execute(
        select(CircleMembership.circle_id, func.count())
        .where(
            CircleMembership.circle_id.in_([c.id for c in circles]),
            CircleMembership.state == MembershipState.ACTIVE,
        )
        .group_by(CircleMembership.circle_id)
    )
    counts: dict[int, int] = {row[0]: row[1] for row in counted}
    return [CircleEntry(c, mine.get(c.id), counts.get(c.id, 0)) for c in circles]


@dataclass(frozen=True)
class CircleView:
    """A circle as one reader may see it: `member` tells whether its content may be shown."""

    circle: Circle
    mine: CircleMembership | None

    @property
    def member(self) -> bool:
        return self.mine is not None and self.mine.is_active

    @property
    def moderates(self) -> bool:
        return self.mine is not None and self.mine.is_moderator

    @property
    def invited(self) -> bool:
        return self.mine is not None and self.mine.state is MembershipState.INVITED

    @property
    def requested(self) -> bool:
        return self.mine is not None and self.mine.state is MembershipState.REQUESTED


def view(db: Session, reader: Account, circle_id: int) -> CircleView:
    """The circle for this reader; 404 for an unlisted circle they are neither in nor
    invited to (its name is not admitted to exist)."""
    circle = db.get(Circle, circle_id) if reader.is_member else None
    if circle is None:
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    mine = membership(db, circle.id, reader.id)
    if not circle.listed and (mine is None or mine.state is MembershipState.REQUESTED):
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    return CircleView(circle, mine)


def members(db: Session, circle_id: int, state: MembershipState) -> list[CircleMembership]:
    """The circle's memberships in one state, with the accounts, by name."""
    return list(
        db.scalars(
            select(CircleMembership)
            .join(Account, Account.id == CircleMembership.account_id)
            .where(CircleMembership.circle_id == circle_id, CircleMembership.state == state)
            .options(joinedload(CircleMembership.account).joinedload(Account.municipality))
            .order_by(CircleMembership.role.desc(), Account.display_name, Account.id)
        )
    )


def find_members(db: Session, text: str, *, limit: int = 20) -> list[Account]:
    """Approved members by name, to invite or to name as circle moderators."""
    text = clean_line(text)
    if not text:
        return []
    return list(
        db.scalars(
            select(Account)
            .where(
                Account.state == AccountState.APPROVED,
                Account.display_name.icontains(text, autoescape=True),
            )
            .options(joinedload(Account.municipality))
            .order_by(Account.display_name, Account.id)
            .limit(limit)
        )
    )


def accounts_by_id(db: Session, ids: list[int]) -> list[Account]:
    """Approved members by id, in the order given (unknown ids left out)."""
    if not ids:
        return []
    found = {
        account.id: account
        for account in db.scalars(
            select(Account)
            .where(
                Account.id.in_(ids[:FIRST_MODERATORS_MAX]), Account.state == AccountState.APPROVED
            )
            .options(joinedload(Account.municipality))
        )
    }
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def without_members(db: Session, circle_id: int, accounts: list[Account]) -> list[Account]:
    """Those of the accounts who are not in the circle, invited or asking (to invite)."""
    if not accounts:
        return []
    taken = set(
        db.scalars(
            select(CircleMembership.account_id).where(
                CircleMembership.circle_id == circle_id,
                CircleMembership.account_id.in_([a.id for a in accounts]),
            )
        )
    )
    return [account for account in accounts if account.id not in taken]


# -- for site moderators -----------------------------------------------------------------------


def running(db: Session, circle_id: int) -> list[Account]:
    """The circle's moderators who can act: active circle moderators with an approved
    account (an erased or suspended one runs nothing), by name."""
    return list(
        db.scalars(
            select(Account)
            .join(CircleMembership, CircleMembership.account_id == Account.id)
            .where(
                CircleMembership.circle_id == circle_id,
                CircleMembership.role == CircleRole.MODERATOR,
                CircleMembership.state == MembershipState.ACTIVE,
                Account.state == AccountState.APPROVED,
            )
            .options(joinedload(Account.municipality))
            .order_by(Account.display_name, Account.id)
        )
    )


def _run_by_someone() -> ColumnElement[bool]:
    return (
        exists()
        .where(
            CircleMembership.circle_id == Circle.id,
            CircleMembership.role == CircleRole.MODERATOR,
            CircleMembership.state == MembershipState.ACTIVE,
            CircleMembership.account_id == Account.id,
            Account.state == AccountState.APPROVED,
        )
        .correlate(Circle)
    )


@dataclass(frozen=True)
class ModeratedCircle:
    """A circle in the site moderators' list: whether anyone can run it."""

    circle: Circle
    run: bool


def for_moderators(db: Session) -> list[ModeratedCircle]:
    """Every circle, listed or not, for the site moderators: those without a circle
    moderator who can act first, then by name."""
    run = _run_by_someone().label("run")
    rows = db.execute(select(Circle, run).order_by(run, Circle.name, Circle.id))
    return [ModeratedCircle(circle, bool(is_run)) for circle, is_run in rows]


def unmoderated_count(db: Session) -> int:
    """How many circles have no circle moderator who can act (the moderation overview)."""
    return db.scalar(select(func.count()).select_from(Circle).where(~_run_by_someone())) or 0
