"""The route walker: default deny, proven for every route and every state of an account.

Every route is either on the public allow-list or carries an auth dependency; a new route
cannot be added unprotected. Then every protected route is called as an anonymous visitor
and as pending, needs-info, declined and suspended accounts: none of them gets anything
but a redirect to /login, a 401, a 403, or (for the application pages) their own status.
Routes whose credential is a secret token in their path (the calendar feed) answer 404 to
everyone without a valid token, whether signed in or not.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount

from app.accounts.models import AccountState
from app.auth.access import (
    APPLICANT_ROUTES,
    PUBLIC_ROUTES,
    TOKEN_ROUTES,
    RouteInfo,
    iter_routes,
)
from tests import factories

pytestmark = pytest.mark.commits

NON_MEMBER_STATES = [
    AccountState.PENDING,
    AccountState.NEEDS_INFO,
    AccountState.DECLINED,
    AccountState.SUSPENDED,
]


def _concrete(path: str) -> str:
    """Fill path parameters with plausible values (ids exist or not: access comes first)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def _protected(app: FastAPI) -> list[RouteInfo]:
    """The routes a session opens (those opened by a token in their path are walked apart)."""
    return [route for route in iter_routes(app) if route.protected and not route.by_token]


def test_the_walker_sees_every_route(app: FastAPI) -> None:
    seen = {(route.method, route.path) for route in iter_routes(app)}
    assert ("GET", "/healthz") in seen
    assert ("GET", "/static/{path}") in seen
    assert ("GET", "/moderation/applications") in seen


def test_every_route_is_public_by_intent_or_protected(app: FastAPI) -> None:
    unprotected = {(route.method, route.path) for route in iter_routes(app) if not route.protected}
    assert unprotected - PUBLIC_ROUTES == set(), "routes without an auth dependency"
    assert PUBLIC_ROUTES - unprotected == set(), "allow-list entries that are not public"


def test_only_the_application_pages_are_open_to_non_members(app: FastAPI) -> None:
    account_only = {
        (route.method, route.path)
        for route in iter_routes(app)
        if route.protected and not route.members_only
    }
    assert account_only == APPLICANT_ROUTES


def test_token_routes_are_listed_and_answer_404_without_their_token(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    """A route opened by a secret in its path is on the explicit list, and neither a made-up
    token nor a member's session opens it."""
    by_token = [route for route in iter_routes(app) if route.by_token]
    assert {(route.method, route.path) for route in by_token} == TOKEN_ROUTES
    for route in by_token:
        assert client.get(_concrete(route.path)).status_code == 404, route
    factories.login(client, db, factories.account(db))
    for route in by_token:
        assert client.get(_concrete(route.path)).status_code == 404, route


def _call(client: TestClient, route: RouteInfo, token: str) -> int:
    path = _concrete(route.path)
    if route.method == "GET":
        return client.get(path).status_code
    return client.request(route.method, path, data={"csrf_token": token}).status_code


def test_anonymous_visitors_are_sent_to_login_everywhere(client: TestClient, app: FastAPI) -> None:
    token = factories.csrf_token(client)
    for route in _protected(app):
        response = (
            client.get(_concrete(route.path))
            if route.method == "GET"
            else client.request(route.method, _concrete(route.path), data={"csrf_token": token})
        )
        if route.path.startswith("/api/"):
            assert response.status_code == 401, route
        else:
            assert response.status_code == 303, route
            assert response.headers["location"].startswith("/login"), route


@pytest.mark.parametrize("state", NON_MEMBER_STATES, ids=lambda state: state.value)
def test_non_members_see_nothing_of_the_trust_space(
    client: TestClient, app: FastAPI, db: Session, state: AccountState
) -> None:
    person = factories.account(db, state=state)
    factories.application(db, person)
    factories.login(client, db, person)
    token = factories.csrf_token(client, "/membership/status")
    for route in _protected(app):
        status = _call(client, route, token)
        if route.members_only:
            assert status == 403, (route, status)
        else:
            assert status < 500, (route, status)
            assert status in {200, 303, 404, 409, 422}, (route, status)


def test_a_member_reaches_member_pages_but_not_moderation(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    assert client.get("/").status_code == 200
    assert client.get("/konto").status_code == 200
    assert client.get("/moderation").status_code == 403
    assert client.get("/moderation/applications").status_code == 403


def test_no_route_is_hidden_by_an_earlier_one(app: FastAPI) -> None:
    """Routers are included with the busiest pages first (matching walks the routes in
    order); that is only safe while no path one route answers is taken by another."""
    contexts = [
        context
        for context in fastapi_routing.iter_route_contexts(app.routes)
        if not isinstance(context.original_route, Mount)
    ]
    assert len(contexts) >= 100
    for context in contexts:
        sample = _concrete(str(context.path))
        for method in context.methods or ():
            first = next(
                other
                for other in contexts
                if method in (other.methods or ()) and other.path_regex.match(sample)
            )
            assert first is context, f"{method} {sample}: {first.path} before {context.path}"


def test_development_routes_do_not_exist_without_the_dev_sign_in(
    client: TestClient, app: FastAPI
) -> None:
    """Every public /dev/… route (sign-in as a persona, the mail viewer) answers 404 unless
    ALLMENDE_DEV_LOGIN is on."""
    token = factories.csrf_token(client)
    dev_routes = [route for route in iter_routes(app) if route.path.startswith("/dev/")]
    assert {("GET", "/dev/login"), ("GET", "/dev/mails")} <= {
        (route.method, route.path) for route in dev_routes
    }
    for route in dev_routes:
        assert (route.method, route.path) in PUBLIC_ROUTES, route
        assert _call(client, route, token) == 404, route
