"""Many members at once on one process (a real server, a database that commits): every
request is answered, none waits for a connection that never comes.

Before, a request took a connection of the pool with its first statement (who is signed
in) and kept it while it waited for a thread to run its page. With more requests at once
than the pool has connections, those holding one waited for a thread while every thread
waited for a connection: the process stood still until the pool's timeout (30 s) and then
answered 500 (SQLite), or the clients gave up first (PostgreSQL). 40 members reading the
list at once were enough. Now requests beyond the pool's size wait for their turn before
they open their unit of work (app.web.deps).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import anyio
import httpx2
import pytest
from fastapi import FastAPI
from starlette.datastructures import State

from app.auth import sessions
from app.core.clock import utcnow
from app.db import pool_capacity, unit_of_work
from app.web.csrf import session_cookie_name
from tests import factories
from tests.browser.conftest import LiveServer, start_live_server, stop_live_server


@pytest.fixture
def live(fresh_database_url: str) -> Iterator[LiveServer]:
    server = start_live_server(fresh_database_url)
    yield server
    stop_live_server(server)


def _state(live: LiveServer) -> State:
    return cast(FastAPI, live.server.config.app).state


def _slots(live: LiveServer) -> anyio.Semaphore:
    slots: anyio.Semaphore = _state(live).database_slots
    return slots


def _burst(live: LiveServer, paths: list[tuple[str, str | None]]) -> list[int]:
    """All requests at once (each its own connection, released together): their statuses."""
    start = threading.Barrier(len(paths))

    def get(item: tuple[str, str | None]) -> int:
        path, token = item
        # Well past the pool's 30 s: before, the stalled requests came back as 500.
        with httpx2.Client(base_url=live.url, timeout=90, follow_redirects=False) as client:
            if token is not None:
                client.cookies.set(session_cookie_name(live.settings), token)
            start.wait()
            return client.get(path).status_code

    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(get, paths))


def _members(live: LiveServer) -> list[str]:
    with unit_of_work(live.sessions) as db:
        town = factories.municipality(db, "Lesestadt")
        members = [factories.account(db, f"Leserin {n}", municipality=town) for n in range(8)]
        factories.vorhaben(db, members[0], "Viel gelesen", settings=live.settings)
        return [
            sessions.create(db, live.settings, member, provider="sso", auth_time=utcnow()).token
            for member in members
        ]


def test_more_readers_at_once_than_connections_are_all_answered(live: LiveServer) -> None:
    capacity = pool_capacity(live.engine)
    assert capacity is not None
    tokens = _members(live)
    readers = 2 * capacity + live.settings.request_threads + 10
    paths: list[tuple[str, str | None]] = [
        ("/vorhaben", tokens[n % len(tokens)]) for n in range(readers)
    ]
    paths += [("/readyz", None)] * 3  # the load balancer asks meanwhile

    statuses = _burst(live, paths)

    assert statuses == [200] * len(paths)
    assert _slots(live).value == capacity


def test_turns_come_back_when_requests_fail(live: LiveServer) -> None:
    capacity = pool_capacity(live.engine)
    assert capacity is not None
    tokens = _members(live)
    failing: list[tuple[str, str | None]] = [("/vorhaben", None)] * capacity  # to the sign-in
    failing += [("/vorhaben/999999", tokens[0])] * capacity  # no such Vorhaben
    failing += [("/nachrichten", "erfunden")] * capacity  # a made-up session

    statuses = _burst(live, failing)

    assert set(statuses) <= {303, 401, 404}, statuses
    assert _slots(live).value == capacity
    again = _burst(live, [("/vorhaben", token) for token in tokens * 3])
    assert again == [200] * len(tokens) * 3
