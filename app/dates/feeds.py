"""The personal calendar feed: a secret address per member that calendar apps poll.

Calendar apps cannot sign in, so the address itself is the credential: 256 random bits,
shown once when made, kept only as its SHA-256 (a leaked database does not leak working
addresses). Making a new one replaces the old; revoking deletes it. The feed answers only
while its owner is a member, and shows only what its owner may see at that moment.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

from fastapi import Depends
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.auth.access import TOKEN_LEVEL, auth_dependency
from app.core.errors import DomainError, NotFound
from app.dates.models import CalendarFeed
from app.i18n import N_
from app.i18n import gettext as _
from app.web.deps import DbSession

TOKEN_BYTES = 32


class FeedGone(DomainError):
    """The feed's owner is no longer a member (suspended or erased)."""

    status_code = 410
    default_message = N_("Dieser Kalender ist nicht mehr verfügbar.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def exists(db: Session, account_id: int) -> bool:
    """Whether the member has a calendar feed address."""
    return db.get(CalendarFeed, account_id) is not None


def renew(db: Session, account: Account) -> str:
    """A new secret feed token for the member (the old address stops working)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = db.get(CalendarFeed, account.id)
    if row is None:
        db.add(CalendarFeed(account_id=account.id, token_hash=_hash(token)))
    else:
        row.token_hash = _hash(token)
    db.flush()
    return token


def revoke(db: Session, account_id: int) -> None:
    """Delete the member's feed address (calendar apps get 404 from then on)."""
    db.execute(delete(CalendarFeed).where(CalendarFeed.account_id == account_id))


def owner_of(db: Session, token: str) -> Account:
    """The member a feed token belongs to: 404 if unknown, 410 if no longer a member."""
    account = db.scalars(
        select(Account)
        .join(CalendarFeed, CalendarFeed.account_id == Account.id)
        .where(CalendarFeed.token_hash == _hash(token))
    ).one_or_none()
    if account is None:
        raise NotFound(_("Diesen Kalender gibt es nicht."))
    if not account.is_member:
        raise FeedGone()
    return account


@auth_dependency(TOKEN_LEVEL)
def feed_owner(token: str, db: DbSession) -> Account:
    """The auth type of the feed: the secret token in the path names the member."""
    return owner_of(db, token)


FeedOwner = Annotated[Account, Depends(feed_owner)]


def account_erased(db: Session, event: events.AccountErased) -> None:
    """An erased account's feed address is deleted with the rest of its data."""
    revoke(db, event.account_id)


def subscribe() -> None:
    events.subscribe(events.AccountErased, account_erased)
