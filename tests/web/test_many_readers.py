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

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

from app.auth import sessions
from app.core.clock import utcnow
from app.db import make_engine, pool_capacity, unit_of_work
from tests import factories
from tests.browser.conftest import LiveServer, start_live_server, stop_live_server


@pytest.fixture
def live(fresh_database_url: str) -> Iterator[LiveServer]:
    server = start_live_server(fresh_database_url)
    yield server
    stop_live_server(server)


def test_more_readers_at_once_than_connections_are_all_answered(live: LiveServer) -> None:
    capacity = pool_capacity(live.engine)
    assert capacity is not None
    readers = 2 * capacity + live.settings.request_threads + 10
    with unit_of_work(live.sessions) as db:
        town = factories.municipality(db, "Lesestadt")
        members = [factories.account(db, f"Leserin {n}", municipality=town) for n in range(8)]
        factories.vorhaben(db, members[0], "Viel gelesen", settings=live.settings)
        tokens = [
            sessions.create(db, live.settings, member, provider="sso", auth_time=utcnow()).token
            for member in members
        ]

    def read(index: int) -> tuple[int, str]:
        # Well past the pool's 30 s: before, the stalled requests came back as 500.
        with httpx2.Client(base_url=live.url, timeout=90) as client:
            client.cookies.set("allmende_session", tokens[index % len(tokens)])
            page = client.get("/vorhaben")
            return page.status_code, page.text

    with ThreadPoolExecutor(max_workers=readers) as pool:
        answers = list(pool.map(read, range(readers)))

    assert [status for status, _ in answers] == [200] * readers
    assert all("Viel gelesen" in text for _, text in answers)


def test_pool_capacity_is_size_and_overflow(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        pool = engine.pool
        assert pool_capacity(engine) == pool.size() + pool._max_overflow  # type: ignore[attr-defined]
        assert pool_capacity(engine) == (15 if database_url.startswith("sqlite") else 20)
    finally:
        engine.dispose()


def test_a_pool_without_bound_has_no_capacity(tmp_path: Path) -> None:
    unbounded = create_engine(f"sqlite:///{tmp_path / 'a.db'}", max_overflow=-1)
    per_thread = create_engine("sqlite://")  # in memory: a connection per thread
    try:
        assert isinstance(unbounded.pool, QueuePool)
        assert pool_capacity(unbounded) is None
        assert pool_capacity(per_thread) is None
    finally:
        unbounded.dispose()
        per_thread.dispose()
