"""The route walker: every route is either on the public allow-list or requires a member.

A new route cannot be added unprotected: it fails here until it is either protected by an
auth dependency or deliberately added to PUBLIC_ROUTES.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.auth.access import PUBLIC_ROUTES, iter_routes


def test_the_walker_sees_every_route(app: FastAPI) -> None:
    seen = {(route.method, route.path) for route in iter_routes(app)}
    assert ("GET", "/healthz") in seen
    assert ("GET", "/static/{path}") in seen
    assert len(seen) >= len(PUBLIC_ROUTES)


def test_every_route_is_public_by_intent_or_protected(app: FastAPI) -> None:
    unprotected = {(route.method, route.path) for route in iter_routes(app) if not route.protected}
    assert unprotected - PUBLIC_ROUTES == set(), "routes without an auth dependency"
    assert PUBLIC_ROUTES - unprotected == set(), "allow-list entries that are not public"
