"""app.web.routing: a sync endpoint that returns a response ends its unit of work itself."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import Depends, FastAPI
from fastapi import routing as fastapi_routing
from fastapi.responses import PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.web import routing
from app.web.deps import DbSession

pytestmark = pytest.mark.commits


class Boom(Exception):
    pass


@pytest.fixture
def probe(session_factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, list[str]]]:
    """A small app on the test database that records where its sessions end."""
    log: list[str] = []

    def ended(kind: str) -> None:
        log.append(f"{kind} in {threading.get_ident()}")

    def on_commit(_session: Session) -> None:
        ended("commit")

    def on_end(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            ended("end")

    def on_begin(_session: Session, transaction: SessionTransaction, _connection: object) -> None:
        if transaction.parent is None:
            ended("begin")

    event.listen(session_factory, "after_commit", on_commit)
    event.listen(session_factory, "after_transaction_end", on_end)
    event.listen(session_factory, "after_begin", on_begin)

    def reading_dependency(db: DbSession) -> None:
        db.execute(text("SELECT 1"))
        log.append(f"dependency in {threading.get_ident()}")

    async def teardown_marker(db: DbSession) -> AsyncIterator[None]:
        try:
            yield  # its teardown runs before get_db's
        finally:
            log.append(f"teardown in {threading.get_ident()}")

    router = routing.router(dependencies=[Depends(teardown_marker, scope="function")])

    @router.get("/page")
    def page(db: DbSession) -> Response:
        db.execute(text("SELECT 1"))
        log.append(f"endpoint in {threading.get_ident()}")
        return PlainTextResponse("ok")

    @router.get("/value")
    def value(db: DbSession) -> dict[str, int]:
        log.append(f"endpoint in {threading.get_ident()}")
        return {"one": db.scalar(text("SELECT 1")) or 0}

    @router.get("/boom")
    def boom(db: DbSession) -> Response:
        db.execute(text("SELECT 1"))
        log.append(f"endpoint in {threading.get_ident()}")
        raise Boom

    @router.post("/write", dependencies=[Depends(reading_dependency)])
    def write(db: DbSession) -> Response:
        db.execute(text("SELECT 1"))
        log.append(f"endpoint in {threading.get_ident()}")
        return PlainTextResponse("ok")

    @router.get("/async")
    async def asynchronous(db: DbSession) -> Response:
        return PlainTextResponse(str(db.in_transaction()))

    app = FastAPI()
    app.state.session_factory = session_factory
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, log
    event.remove(session_factory, "after_commit", on_commit)
    event.remove(session_factory, "after_transaction_end", on_end)
    event.remove(session_factory, "after_begin", on_begin)


def _thread(entry: str) -> str:
    return entry.rsplit(" ", 1)[1]


def _ends(log: list[str]) -> list[str]:
    """The log without the beginnings of transactions (only the write test looks at them)."""
    return [entry for entry in log if not entry.startswith("begin")]


def test_a_response_is_committed_in_the_endpoints_own_thread(
    probe: tuple[TestClient, list[str]],
) -> None:
    client, log = probe
    assert client.get("/page").text == "ok"
    log = _ends(log)
    assert [entry.split()[0] for entry in log] == ["endpoint", "commit", "end", "teardown"]
    assert _thread(log[1]) == _thread(log[0])


def test_a_value_still_to_serialize_is_committed_after_it(
    probe: tuple[TestClient, list[str]],
) -> None:
    client, log = probe
    assert client.get("/value").json() == {"one": 1}
    assert [entry.split()[0] for entry in _ends(log)] == ["endpoint", "teardown", "commit", "end"]


def test_an_endpoint_that_fails_is_rolled_back_in_its_own_thread(
    probe: tuple[TestClient, list[str]],
) -> None:
    client, log = probe
    assert client.get("/boom").status_code == 500
    log = _ends(log)
    assert [entry.split()[0] for entry in log] == ["endpoint", "end", "teardown"]  # no commit
    # On SQLite a write lock ends with the thread that took it: a hand-over to another
    # thread could wait behind requests that wait for that very lock.
    assert _thread(log[1]) == _thread(log[0])


def test_a_route_that_writes_begins_its_transaction_in_its_own_thread(
    probe: tuple[TestClient, list[str]],
) -> None:
    client, log = probe
    assert client.post("/write").text == "ok"
    kinds = [entry.split()[0] for entry in log]
    # What the dependencies read ended before the route's own transaction began.
    assert kinds == [
        *("begin", "dependency", "commit", "end"),
        *("begin", "endpoint", "commit", "end"),
        "teardown",
    ]
    assert len({_thread(entry) for entry in log[4:8]}) == 1


def test_a_coroutine_endpoint_is_left_to_the_dependency(
    probe: tuple[TestClient, list[str]],
) -> None:
    client, log = probe
    assert client.get("/async").text == "False"  # nothing was read: no transaction yet
    assert [entry.split()[0] for entry in _ends(log)] == ["teardown", "commit", "end"]


def test_every_route_of_the_app_is_a_routing_route(app: FastAPI) -> None:
    contexts = list(fastapi_routing.iter_route_contexts(app.routes))
    api_routes = [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]
    assert len(api_routes) >= 100
    assert [route.path for route in api_routes if not isinstance(route, routing.Route)] == []
