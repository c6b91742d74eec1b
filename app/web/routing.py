"""The route class of every router: a sync endpoint ends the request's unit of work itself.

FastAPI runs a sync endpoint in a worker thread and a dependency's teardown afterwards on
the event loop, so ending the transaction (commit or rollback, then close: it talks to the
database) cost a second hand-over to a worker thread and back on every request. Here the
endpoint's own thread commits and closes the session as soon as the endpoint has returned
a response; the teardown of app.web.deps.get_db then finds nothing left to do. Anything
else (an exception, a value FastAPI still has to serialize, an endpoint that is a
coroutine) leaves the end to get_db as before.
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
        result = endpoint(*args, **kwargs)
        if isinstance(result, Response):
            deps.end_unit_of_work()
        return result

    return run
