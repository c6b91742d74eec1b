"""Request-scoped dependencies shared by all HTML and JSON routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: commits when the route returns, rolls back on error.

    Declared with scope="function" so the commit happens before the response is sent: a
    client that follows our redirect always sees what the POST wrote. A coroutine that
    hands only the end of the transaction (the one step here that talks to the database)
    to a worker thread: as a plain generator, opening the session cost a hand-over too.
    """
    session: Session = request.app.state.session_factory()
    if request.method in SAFE_METHODS and not getattr(request.state, "writes", False):
        read_only(session)
    try:
        yield session
    except BaseException:
        await anyio.to_thread.run_sync(_end, session, False)
        raise
    await anyio.to_thread.run_sync(_end, session, True)


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
