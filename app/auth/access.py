"""Default deny: the explicit list of public routes, and how a route proves it is protected.

Every route either carries one of the auth dependencies registered with
@auth_dependency (somewhere in its dependency tree) or is listed in PUBLIC_ROUTES.
tests/test_routes.py walks app.routes against both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from starlette.routing import Mount

F = TypeVar("F", bound=Callable[..., Any])

_AUTH_DEPENDENCIES: set[Callable[..., Any]] = set()

# (method, path) pairs anyone may call: sign-in, application status, legal pages, health
# checks, static assets and the public export layer. Everything else needs an account.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/"),  # anonymous visitors are redirected to /login; members see the dashboard
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/impressum"),
        ("GET", "/datenschutz"),
        ("POST", "/sprache"),
        ("GET", "/login"),
        ("GET", "/static/{path}"),
    }
)


def auth_dependency(function: F) -> F:
    """Mark a dependency as one that refuses callers without the right account."""
    _AUTH_DEPENDENCIES.add(function)
    return function


def _uses_auth(dependant: Dependant) -> bool:
    if dependant.call in _AUTH_DEPENDENCIES:
        return True
    return any(_uses_auth(sub) for sub in dependant.dependencies)


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    dependant: Dependant | None  # None for mounts (static files)

    @property
    def protected(self) -> bool:
        """Whether the route's dependency tree contains an auth dependency."""
        return self.dependant is not None and _uses_auth(self.dependant)


def iter_routes(app: FastAPI) -> list[RouteInfo]:
    """Every (method, path) the app answers, with the dependencies it runs."""
    found: list[RouteInfo] = []
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(RouteInfo("GET", f"{context.path}/{{path}}", None))
            continue
        dependant = getattr(context, "dependant", None)
        for method in sorted(context.methods or ()):
            found.append(RouteInfo(method, str(context.path), dependant))
    return found
