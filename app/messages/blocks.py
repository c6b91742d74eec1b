"""Blocking: a member no longer hears from another.

Neither can start a conversation with the other (app.messages.service.messageable). In a
conversation they already share (a group, or the two of them), the blocked person can still
write, and the others read it; the blocker does not: messages the blocked person writes after
the block are not shown to the blocker, not counted as unread and not mailed. The blocked
person is not told. Unblocking shows those messages again (they were kept, not deleted): the
blocker chose to hear from the person again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, shown_name
from app.core.errors import NotFound, ValidationFailed
from app.i18n import gettext as _
from app.messages.models import Block, Message


def blocked_since_clause(reader_id: Any) -> ColumnElement[bool]:
    """SQL condition on Message: written by someone the reader blocked, after the block."""
    return (
        select(Block.blocker_id)
        .where(
            Block.blocker_id == reader_id,
            Block.blocked_id == Message.author_id,
            Block.created_at <= Message.created_at,
        )
        .correlate_except(Block)
        .exists()
    )


def between_clause(account_id: int) -> ColumnElement[bool]:
    """SQL condition on Account: a block between it and the account, either way."""
    return (
        select(Block.blocker_id)
        .where(
            or_(
                and_(Block.blocker_id == account_id, Block.blocked_id == Account.id),
                and_(Block.blocker_id == Account.id, Block.blocked_id == account_id),
            )
        )
        .correlate_except(Block)
        .exists()
    )


def blocked_between(
    db: Session, account_id: int, others: Iterable[int], *, only_by_them: bool = False
) -> set[int]:
    """Which of the others blocked the account or (unless `only_by_them`) were blocked by it."""
    ids = set(others)
    if not ids:
        return set()
    by_them = and_(Block.blocked_id == account_id, Block.blocker_id.in_(ids))
    by_it = and_(Block.blocker_id == account_id, Block.blocked_id.in_(ids))
    rows = db.execute(
        select(Block.blocker_id, Block.blocked_id).where(
            by_them if only_by_them else or_(by_them, by_it)
        )
    )
    return {blocked if blocker == account_id else blocker for blocker, blocked in rows}


def block(db: Session, blocker: Account, blocked_id: int) -> Account:
    """Block a member (again: nothing changes)."""
    if blocked_id == blocker.id:
        raise ValidationFailed({"block": _("Sich selbst können Sie nicht sperren.")})
    blocked = db.get(Account, blocked_id)
    if blocked is None:
        raise NotFound(_("Dieses Mitglied gibt es nicht."))
    if db.get(Block, (blocker.id, blocked_id)) is None:
        db.add(Block(blocker_id=blocker.id, blocked_id=blocked_id))
        db.flush()
    return blocked


def unblock(db: Session, blocker: Account, blocked_id: int) -> None:
    """Hear from a blocked member again."""
    db.execute(delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked_id))


def blocked_by(db: Session, blocker: Account) -> list[tuple[int, str]]:
    """Whom the member blocked: (id, name), by name."""
    rows = db.execute(
        select(Account.id, Account.display_name, Account.state)
        .join(Block, Block.blocked_id == Account.id)
        .where(Block.blocker_id == blocker.id)
        .order_by(Account.display_name)
    )
    return [(key, shown_name(name, state)) for key, name, state in rows]


def is_blocked(db: Session, blocker_id: int, blocked_id: int) -> bool:
    return db.get(Block, (blocker_id, blocked_id)) is not None


def forget(db: Session, account_id: int) -> None:
    """An erased account's blocks, both ways."""
    db.execute(
        delete(Block).where(or_(Block.blocker_id == account_id, Block.blocked_id == account_id))
    )
