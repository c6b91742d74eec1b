"""Who may call what, declared in route signatures: SignedIn, Member, Moderator, Admin.

The session and its account are read from the database on every request: a changed role
or state (and an ended session) takes effect at the very next request, on every app
instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import ColumnElement

from app.accounts.models import Account, AccountState
from app.auth import sessions
from app.auth.access import auth_dependency
from app.core.errors import DomainError, Forbidden
from app.db import separate_write
from app.i18n import N_
from app.i18n import gettext as _
from app.web import csrf
from app.web.deps import DbSession


@dataclass(frozen=True)
class Viewer:
    """What templates know about the signed-in person: a snapshot, not an ORM object, so
    even an error page rendered after a rollback can show the header."""

    id: int
    display_name: str
    is_member: bool
    is_moderator: bool
    is_admin: bool
    municipality_id: int | None
    is_local_contact: bool = False

    @classmethod
    def of(cls, account: Account) -> Viewer:
        return cls(
            account.id,
            account.display_name,
            account.is_member,
            account.is_moderator,
            account.is_admin,
            account.municipality_id,
            account.is_local_contact,
        )


class LoginRequired(DomainError):
    """No signed-in account: pages redirect to /login, the API answers 401."""

    status_code = 401
    default_message = N_("Bitte melden Sie sich an.")


class NotAMember(Forbidden):
    """Signed in, but not (or no longer) an approved member."""

    default_message = N_(
        "Dieser Bereich ist nur für freigeschaltete Mitglieder. Den Stand Ihres Antrags "
        "sehen Sie unter „Mein Antrag“."
    )


# Counts a member's page header shows (the unread notifications), by the name templates read
# from request.state; given by the domains above at start-up (app.wiring), as auth imports
# none of them. Each is a column (a subquery that may refer to the account, `accounts`), so
# it is read in the session lookup's statement.
_header_counts: dict[str, ColumnElement[int]] = {}


def count_in_header(name: str, count: ColumnElement[int]) -> None:
    """Set request.state.<name> to the value of `count` when a member's account is loaded."""
    _header_counts[name] = count


def current_account(request: Request, db: DbSession) -> Account | None:
    """The signed-in account, or None. Also exposes it to templates."""
    if hasattr(request.state, "account"):
        cached: Account | None = request.state.account
        return cached
    settings = request.app.state.settings
    request.state.account = None
    request.state.auth_session = None
    token = request.cookies.get(csrf.session_cookie_name(settings))
    if not token:
        return None
    found = sessions.lookup_with(db, settings, token, tuple(_header_counts.values()))
    if found is None or found[0].account.state is AccountState.ERASED:
        request.state.clear_session_cookie = True
        return None
    row, header_values = found
    if sessions.needs_touch(row):
        # The request reads so far (on SQLite without a lock): the activity is a short
        # write of its own on the same connection, never a second connection that would
        # wait for a lock this request might hold.
        with separate_write(db):
            sessions.touch(db, row)
    request.state.account = row.account
    request.state.viewer = Viewer.of(row.account)
    if row.account.is_member:
        for name, count in zip(_header_counts, header_values, strict=True):
            setattr(request.state, name, count or 0)
    request.state.auth_session = row
    return row.account


CurrentAccount = Annotated[Account | None, Depends(current_account)]

# The checks below only look at the loaded account: as coroutines they run on the event
# loop, where a plain function would cost a hand-over to a worker thread and back (each a
# few per cent of a page's time).


@auth_dependency("account")
async def require_account(account: CurrentAccount) -> Account:
    """Any signed-in account, approved or not (application pages)."""
    if account is None:
        raise LoginRequired
    return account


@auth_dependency("member")
async def require_member(account: Annotated[Account, Depends(require_account)]) -> Account:
    """An approved, non-suspended member: the gate of the trust space."""
    if not account.is_member:
        raise NotAMember
    return account


@auth_dependency("moderator")
async def require_moderator(account: Annotated[Account, Depends(require_member)]) -> Account:
    """A member with moderator (or admin) rights."""
    if not account.is_moderator:
        raise Forbidden(_("Dieser Bereich ist der Moderation vorbehalten."))
    return account


@auth_dependency("contact")
async def require_local_contact(account: Annotated[Account, Depends(require_member)]) -> Account:
    """The contact person of a municipality (for its applications only; the routes check
    that each application is from the contact's own municipality)."""
    if not account.is_local_contact:
        raise Forbidden(_("Dieser Bereich ist den Ansprechpersonen der Kommunen vorbehalten."))
    return account


@auth_dependency("admin")
async def require_admin(account: Annotated[Account, Depends(require_member)]) -> Account:
    """A member with admin rights."""
    if not account.is_admin:
        raise Forbidden(_("Dieser Bereich ist der Verwaltung vorbehalten."))
    return account


SignedIn = Annotated[Account, Depends(require_account)]
Member = Annotated[Account, Depends(require_member)]
Moderator = Annotated[Account, Depends(require_moderator)]
Admin = Annotated[Account, Depends(require_admin)]
LocalContact = Annotated[Account, Depends(require_local_contact)]
