"""The route class of every router: a sync endpoint runs its unit of work in its own thread.

FastAPI runs a sync endpoint in a worker thread and a dependency's teardown afterwards on
the event loop. Here the endpoint's own thread begins the transaction of a route that
writes (app.web.deps.begin_route) and commits (or, when it raises, rolls back) and closes
the session as soon as the endpoint is done; the teardown of app.web.deps.get_db then
finds nothing left to do. So on SQLite the write lock is held only while that one thread
runs: never while the request waits for a thread, where requests blocked on the lock could
hold every thread it needs (a stall until the busy timeout). It also saves a hand-over to
a thread and back on every request. A value FastAPI still has to serialize, or an endpoint
that is a coroutine, leaves the end to get_db.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.routing import APIRoute

from app.web import deps


class Route(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not (inspect.iscoroutinefunction(endpoint) or _is_generator(endpoint)):
            endpoint = _ending_unit_of_work(endpoint)
        super().__init__(path, endpoint, **kwargs)


def router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes are Routes (every router of the app is made here)."""
    return APIRouter(route_class=Route, **kwargs)


def _is_generator(endpoint: Callable[..., Any]) -> bool:
    return inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint)


def _ending_unit_of_work(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    # functools.wraps keeps the signature and the module FastAPI reads the parameters and
    # their annotations from (inspect.unwrap).
    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        deps.begin_route()
        try:
            result = endpoint(*args, **kwargs)
        except BaseException:
            deps.end_unit_of_work(commit=False)
            raise
        if isinstance(result, Response):
            deps.end_unit_of_work()
        return result

    return run
