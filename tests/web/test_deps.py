"""A process's turns with the database (app.web.deps.database_slot), without a server: as
many at once as the pool has connections, the others wait in order, at most
SLOT_WAIT_SECONDS, then 503. (tests/web/test_many_readers.py: the same on a real server.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from starlette.requests import Request

from app.core.errors import Overloaded
from app.web import deps


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'slots.db'}", pool_size=1, max_overflow=1)
    yield made
    made.dispose()


def _run(main: Callable[[], Awaitable[None]]) -> None:
    """anyio.run in a thread of its own: a test before in this process (Playwright's sync
    API) may leave an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, main).result()


def _request(engine: Engine) -> Request:
    app = FastAPI()
    app.state.engine = engine
    return Request({"type": "http", "app": app, "method": "GET", "path": "/", "headers": []})


def test_requests_beyond_the_pool_wait_in_order(engine: Engine) -> None:
    request = _request(engine)
    order: list[str] = []

    async def main() -> None:
        async def hold(name: str, release: anyio.Event) -> None:
            async with deps.database_slot(request):
                order.append(f"in {name}")
                await release.wait()
            order.append(f"out {name}")

        async def follow(name: str) -> None:
            async with deps.database_slot(request):
                order.append(f"in {name}")

        first, second = anyio.Event(), anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(hold, "a", first)
            tasks.start_soon(hold, "b", second)
            await anyio.wait_all_tasks_blocked()
            tasks.start_soon(follow, "c")
            await anyio.wait_all_tasks_blocked()
            tasks.start_soon(follow, "d")
            await anyio.wait_all_tasks_blocked()
            assert order == ["in a", "in b"]  # two connections, two turns
            second.set()
            await anyio.wait_all_tasks_blocked()
            first.set()

    _run(main)
    assert order == ["in a", "in b", "out b", "in c", "in d", "out a"]
    assert request.app.state.database_slots.value == 2


def test_a_request_that_waits_too_long_is_answered_503(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deps, "SLOT_WAIT_SECONDS", 0.05)
    request = _request(engine)
    answered: list[Overloaded] = []

    async def main() -> None:
        release = anyio.Event()

        async def hold() -> None:
            async with deps.database_slot(request):
                await release.wait()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(hold)
            tasks.start_soon(hold)
            await anyio.wait_all_tasks_blocked()
            try:
                async with deps.database_slot(request):
                    raise AssertionError("no turn was free")
            except Overloaded as error:
                answered.append(error)
            release.set()

    _run(main)
    [error] = answered
    assert error.status_code == 503
    assert error.retry_after == deps.RETRY_AFTER_SECONDS
    assert request.app.state.database_slots.value == 2  # the late one took none


def test_a_turn_is_given_back_when_the_block_fails(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deps, "SLOT_WAIT_SECONDS", 0.05)  # a lost turn fails fast
    request = _request(engine)

    async def main() -> None:
        for _ in range(5):
            with pytest.raises(RuntimeError):
                async with deps.database_slot(request):
                    raise RuntimeError("the route failed")

    _run(main)
    assert request.app.state.database_slots.value == 2


def test_an_unbounded_pool_has_no_turns() -> None:
    memory = create_engine("sqlite://")
    request = _request(memory)

    async def main() -> None:
        async with deps.database_slot(request):
            pass

    try:
        _run(main)
        assert request.app.state.database_slots is None
    finally:
        memory.dispose()


def test_the_503_is_the_german_error_page_with_retry_after(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deps, "SLOT_WAIT_SECONDS", 0.01)
    app.state.database_slots = anyio.Semaphore(0, max_value=1)  # every turn is taken
    with TestClient(app) as client:
        page = client.get("/vorhaben")
        api = client.get("/api/v1/vocabularies/fields_of_action")
        ready = client.get("/readyz")  # readiness reads the database too: it waits its turn
    assert page.status_code == 503
    assert page.headers["retry-after"] == str(deps.RETRY_AFTER_SECONDS)
    assert "<h1>Vorübergehend nicht verfügbar</h1>" in page.text
    assert "stark ausgelastet" in page.text and "Service Unavailable" not in page.text
    assert api.status_code == 503 and api.headers["retry-after"] == "10"
    assert api.json()["error"]["status"] == 503
    assert ready.status_code == 503 and ready.headers["retry-after"] == "10"
