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

_AUTH_DEPENDENCIES: dict[Callable[..., Any], str] = {}

# (method, path) pairs anyone may call: sign-in, application status, legal pages, health
# checks, static assets and the public export layer. Everything else needs an account.
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/impressum"),
        ("GET", "/datenschutz"),
        ("POST", "/sprache"),
        ("GET", "/login"),
        ("GET", "/login/{provider}"),
        ("GET", "/auth/callback/{provider}"),
        ("POST", "/logout"),
        ("POST", "/auth/backchannel-logout/{provider}"),
        ("GET", "/dev/login"),  # answers 404 unless ALLMENDE_DEV_LOGIN=1
        ("POST", "/dev/login"),
        ("GET", "/dev/mails"),  # like /dev/login: 404 unless ALLMENDE_DEV_LOGIN=1
        ("GET", "/static/{path}"),
        # The public export layer.
        ("GET", "/api/v1/projects"),
        ("GET", "/api/v1/projects/{project_id}"),
        ("GET", "/api/v1/openapi.json"),
        ("GET", "/api/v1/vocabularies"),
        ("GET", "/api/v1/vocabularies/{name}"),
        ("GET", "/feeds/projects.atom"),
        ("GET", "/p/{project_id}"),
        ("GET", "/p/{project_id}/bild/{sha256}"),
        ("GET", "/p/{project_id}/dateien/{attachment_id:id}/{name}"),
    }
)


# Routes a signed-in account that is not (yet) a member may use: its application, its
# status, the registry search of the application form, and the dashboard redirect.
APPLICANT_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/"),
        ("GET", "/membership/apply"),
        ("POST", "/membership/apply"),
        ("GET", "/membership/status"),
        ("POST", "/membership/status"),
        ("GET", "/membership/municipalities"),
        # Data-protection rights hold for applicants, declined and suspended people too.
        ("GET", "/konto/daten"),
        ("GET", "/konto/daten/export.json"),
        ("POST", "/konto/loeschen"),
    }
)


# Routes whose credential is a secret in their own path (calendar apps cannot sign in):
# their auth dependency, of the level TOKEN_LEVEL, looks the token up and answers 404 to
# anyone without a valid one, session or not.
TOKEN_LEVEL = "calendar_token"  # noqa: S105 - the name of an auth level, not a secret
TOKEN_ROUTES: frozenset[tuple[str, str]] = frozenset({("GET", "/kalender/{token}.ics")})


def auth_dependency(level: str) -> Callable[[F], F]:
    """Mark a dependency as one that refuses callers below `level` (account, member, …)."""

    def mark(function: F) -> F:
        _AUTH_DEPENDENCIES[function] = level
        return function

    return mark


def _levels(dependant: Dependant) -> set[str]:
    found = set()
    if dependant.call in _AUTH_DEPENDENCIES:
        found.add(_AUTH_DEPENDENCIES[dependant.call])
    for sub in dependant.dependencies:
        found |= _levels(sub)
    return found


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    dependant: Dependant | None  # None for mounts (static files)

    @property
    def levels(self) -> set[str]:
        """The auth levels in the route's dependency tree (account, member, moderator…)."""
        return _levels(self.dependant) if self.dependant is not None else set()

    @property
    def protected(self) -> bool:
        return bool(self.levels)

    @property
    def by_token(self) -> bool:
        """Authenticated by a secret token in the path instead of a session."""
        return self.levels == {TOKEN_LEVEL}

    @property
    def members_only(self) -> bool:
        """Protected beyond "signed in": needs an approved member (or more)."""
        return bool(self.levels - {"account"})


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
