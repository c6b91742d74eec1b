"""Request-scoped dependencies shared by all HTML and JSON routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextvars import ContextVar
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The open unit of work of the request running in this context (each request is a task
# of its own, and worker threads run in a copy of the task's context).
_unit_of_work: ContextVar[Session | None] = ContextVar("unit_of_work", default=None)
_ENDED = "allmende.unit_of_work_ended"


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: commits when the route returns, rolls back on error.

    Declared with scope="function" so the commit happens before the response is sent: a
    client that follows our redirect always sees what the POST wrote. A coroutine: as a
    plain generator, opening the session cost a hand-over to a worker thread too. A sync
    endpoint's own thread ends the transaction (app.web.routing, end_unit_of_work); only
    otherwise is the end (the one step here that talks to the database) handed to one.
    """
    session: Session = request.app.state.session_factory()
    if request.method in SAFE_METHODS and not getattr(request.state, "writes", False):
        read_only(session)
    reset = _unit_of_work.set(session)
    try:
        yield session
    except BaseException:
        # Shielded: a cancelled request (a client gone, a shutdown) still gives its
        # connection back; on SQLite an open write transaction would block every writer.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_end, session, False)
        raise
    finally:
        _unit_of_work.reset(reset)
    ended = session.info.pop(_ENDED, False)
    if not ended or session.in_transaction():  # (used again after the endpoint ended it)
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_end, session, True)


def end_unit_of_work() -> None:
    """Commit and close the request's unit of work now, in the calling (worker) thread;
    called by app.web.routing once a sync endpoint has returned its response."""
    session = _unit_of_work.get()
    if session is not None and not session.info.get(_ENDED):
        _end(session, True)
        session.info[_ENDED] = True


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def _mark_writes(request: Request) -> None:
    request.state.writes = True


# For the rare GET that writes (the OIDC callback): put it in the route decorator's
# dependencies so it runs before the session is opened, and SQLite takes the write lock
# up front instead of failing to upgrade a read transaction.
WRITES = Depends(_mark_writes)
