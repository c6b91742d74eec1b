"""Request-scoped dependencies shared by all HTML and JSON routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import Overloaded
from app.db import pool_capacity, read_only, writable

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The open unit of work of the request running in this context, with its request (each
# request is a task of its own, and worker threads run in a copy of the task's context).
_unit_of_work: ContextVar[tuple[Session, Request] | None] = ContextVar("unit_of_work", default=None)
_ENDED = "allmende.unit_of_work_ended"


async def get_db(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: commits when the route returns, rolls back on error.

    Declared with scope="function" so the commit happens before the response is sent: a
    client that follows our redirect always sees what the POST wrote. A coroutine: as a
    plain generator, opening the session cost a hand-over to a worker thread too.

    It starts out reading (on SQLite: DEFERRED, no lock), whatever the method: the
    dependencies (who is signed in) only read. A route that writes gets its transaction
    in its own thread (app.web.routing.Route), which also ends it; only otherwise is the
    end (the one step here that talks to the database) handed to a thread. It waits for
    its turn first (database_slot).
    """
    async with database_slot(request):
        session: Session = read_only(request.app.state.session_factory())
        reset = _unit_of_work.set((session, request))
        try:
            yield session
        except BaseException:
            if not session.info.get(_ENDED):
                # Shielded: a cancelled request (a client gone, a shutdown) still gives its
                # connection back; on SQLite an open write transaction would block every
                # writer.
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(_end, session, False)
            raise
        finally:
            _unit_of_work.reset(reset)
        ended = session.info.pop(_ENDED, False)
        if not ended or session.in_transaction():  # (used again after the endpoint ended it)
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_end, session, True)


# How long a request waits for its turn before it is answered 503 (the 30 s the pool's
# checkout waited before, after which the request failed with 500).
SLOT_WAIT_SECONDS = 30.0
RETRY_AFTER_SECONDS = 10
_SLOTS = "database_slots"


async def _turn(request: Request) -> AsyncIterator[None]:
    """One of the process's turns with the database: as many at once as the pool has
    connections. A request holds its connection from its first query (who is signed in)
    to its end, across hand-overs between threads. With more requests begun than
    connections, those holding one waited for a thread while every thread waited for a
    connection, until the pool gave up after 30 s and the requests failed with 500 (40
    members reading at once; tests/web/test_many_readers.py). The others wait here, in the
    event loop and in order of arrival, at most SLOT_WAIT_SECONDS (then 503, Overloaded)."""
    slots = _slots(request)
    if slots is None:
        yield
        return
    try:
        slots.acquire_nowait()  # no trip through the event loop when one is free
    except anyio.WouldBlock:
        with anyio.move_on_after(SLOT_WAIT_SECONDS) as waited:
            await slots.acquire()
        if waited.cancelled_caught:
            raise Overloaded(retry_after=RETRY_AFTER_SECONDS) from None
    try:
        yield
    finally:
        slots.release()


def _slots(request: Request) -> anyio.Semaphore | None:
    """The process's turns (database_slot), made on first use, in the event loop; none
    where the pool has no bound (SQLite in memory: a connection per thread). The engine
    is the app's; an app built without one (a test's) has its session factory's."""
    state = request.app.state
    if not hasattr(state, _SLOTS):
        bind = getattr(state, "engine", None) or state.session_factory.kw.get("bind")
        capacity = pool_capacity(bind) if isinstance(bind, Engine) else None
        slots = None if capacity is None else anyio.Semaphore(capacity, max_value=capacity)
        setattr(state, _SLOTS, slots)
    found: anyio.Semaphore | None = getattr(state, _SLOTS)
    return found


# A turn for a block (get_db takes one for the request's unit of work).
database_slot = asynccontextmanager(_turn)
# For a route that reads the database without the request's unit of work (readiness): it
# takes a turn like every other.
DATABASE_SLOT = Depends(_turn, scope="function")


def begin_route() -> None:
    """For a route that writes: end what the request read so far and let its next
    transaction write (on SQLite it takes the write lock with its first statement).
    Called in the thread that then runs the route and ends the unit of work
    (app.web.routing), so the lock is never held while the request waits for a thread."""
    current = _unit_of_work.get()
    if current is not None and writes(current[1]):
        session = current[0]
        session.commit()
        writable(session)


def end_unit_of_work(*, commit: bool = True) -> None:
    """Commit (or roll back) and close the request's unit of work now, in the calling
    (worker) thread; called by app.web.routing once a sync endpoint has returned its
    response or raised."""
    current = _unit_of_work.get()
    if current is not None and not current[0].info.get(_ENDED):
        _end(current[0], commit)
        current[0].info[_ENDED] = True


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


async def _mark_writes(request: Request) -> None:
    request.state.writes = True


# For the rare GET that writes (the start and end of a sign-in): put it in the route
# decorator's dependencies, and its transaction takes SQLite's write lock up front
# (app.web.routing) instead of failing to upgrade a read transaction.
WRITES = Depends(_mark_writes)


def writes(request: Request) -> bool:
    """Whether the request's route writes: every method but GET, HEAD and OPTIONS, and the
    GETs marked WRITES."""
    return request.method not in SAFE_METHODS or getattr(request.state, "writes", False)
