"""Nothing a client sends produces a 5xx: every route, as an admin, with odd values.

The walker fills every path parameter with an id that exists (so the route's own code
runs, not only its access check) and every query and form parameter it declares, plus
the contract's form fields, with values that once broke code here: digits `int()` does
not take ("²"), numbers beyond 64 bits, dates at the ends of the calendar, infinity in a
cursor, noncharacters and very long text.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Account, Role
from app.auth.access import RouteInfo, iter_routes
from app.web.safe_redirect import local_path
from tests import factories

pytestmark = pytest.mark.commits


def _cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).rstrip(b"=").decode()


HOSTILE_VALUES = [
    "²",
    "٣",
    "9" * 25,
    "-1",
    "1e30",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+01:00",
    "Infinity",
    _cursor(["2024-01-01", 1]),
    _cursor(["2024-01-01T00:00:00+00:00", 10**30]),
    '["2024-01-01T00:00:00+00:00",Infinity]',
    "\ufffe\uffff",
    "/" + "x" * 700,
]

# Fields that routes read from the raw form (not declared as parameters).
CONTRACT_FIELDS = [
    "title",
    "summary",
    "description",
    "stage",
    "fields_of_action",
    "visibility",
    "body",
    "parent_id",
    "version",
    "contacts",
    "partner_municipalities",
    "municipality_ags",
    "position",
    "reason",
    "decision",
    "action",
    "contact_consent",
    "after",
    "q",
    "land",
    "kreis",
]

# Routes that would end the walk itself.
SKIPPED = {("POST", "/logout"), ("POST", "/konto/loeschen")}


def _declared(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params + dependant.body_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return names


def _parameters(route: RouteInfo) -> list[str]:
    declared = _declared(route.dependant) if route.dependant else set()
    return sorted(declared | set(CONTRACT_FIELDS))


@pytest.fixture
def filled(db: Session) -> dict[str, int]:
    """An admin signed in, and one of everything a path can name."""
    admin = factories.account(db, role=Role.ADMIN)
    admin.municipality_id = factories.municipality(db, "Hoststadt").id
    other = factories.account(db)
    project = factories.vorhaben(db, other, "Offene Daten")
    note = factories.comment(db, other, project)
    db.flush()
    return {
        "admin": admin.id,
        "account_id": other.id,
        "vorhaben_id": project.id,
        "target_id": project.id,
        "comment_id": note.id,
    }


def _path(route: RouteInfo, filled: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if "kommentare" in route.path and name == "target_id":
            return str(filled["comment_id"])
        return str(filled.get(name, 1))

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, route.path)


def test_no_route_answers_odd_input_with_a_server_error(
    client: TestClient, app: FastAPI, db: Session, filled: dict[str, int]
) -> None:

    factories.login(client, db, db.get_one(Account, filled["admin"]))
    token = factories.csrf_token(client, "/")
    failures = []
    calls = 0
    for route in iter_routes(app):
        if route.dependant is None or route.method == "HEAD":
            continue
        if (route.method, route.path) in SKIPPED:
            continue
        names = _parameters(route)
        for hostile in HOSTILE_VALUES:
            values = dict.fromkeys(names, hostile)
            if route.method == "GET":
                response = client.get(_path(route, filled), params=values)
            else:
                response = client.request(
                    route.method, _path(route, filled), data={**values, "csrf_token": token}
                )
            calls += 1
            if response.status_code >= 500:
                failures.append((route.method, route.path, hostile[:40], response.status_code))
    assert calls > 1000  # the walker really walked
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/vorhaben/9223372036854775808",
        "/vorhaben/99999999999999999999/versionen/1",
        "/kommentare/100000000000000000000/verlauf",
        "/mitglieder/9223372036854775808",
        "/moderation/applications/99999999999999999999",
        # Beyond the 32-bit id columns but within 64 bits: PostgreSQL refuses the parameter.
        "/vorhaben/2147483648",
        "/vorhaben/99999999999/kommentare?bis=1",
        "/kommentare/99999999999/verlauf",
        "/moderation/applications/99999999999",
        "/mitglieder/999999999999999999",
    ],
)
def test_ids_beyond_the_database_are_not_found(client: TestClient, db: Session, path: str) -> None:
    factories.login(client, db, factories.account(db, role=Role.ADMIN))
    response = client.get(path)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text


def test_a_very_long_next_path_is_ignored(client: TestClient) -> None:
    """The target is stored with the sign-in attempt (2,000 characters at most)."""

    assert local_path("/" + "x" * 2100) == "/"
    assert local_path("/vorhaben?q=ok") == "/vorhaben?q=ok"
