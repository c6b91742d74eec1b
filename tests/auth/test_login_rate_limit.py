"""`GET /login/{provider}` writes a login attempt per call: a per-address rate limit keeps
one address from filling the tables (and the audit log, for unknown providers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth.models import LoginAttempt
from app.core import clock
from app.web.ratelimit import RateCounter
from tests.auth.conftest import CLIENT_ID, CLIENT_SECRET, MockIdP

LIMIT = 3
pytestmark = pytest.mark.usefixtures("start_of_a_minute")


@pytest.fixture
def settings_overrides(mock_idp: MockIdP) -> dict[str, object]:
    return {
        "oidc_issuer": mock_idp.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "login_rate_limit_per_address": LIMIT,
    }


def _count(db: Session, model: type[object]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _from(app: FastAPI, address: str) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False, client=(address, 50000)) as client:
        yield client


@pytest.fixture
def other_address(app: FastAPI) -> Iterator[TestClient]:
    yield from _from(app, "192.0.2.77")


def test_login_starts_beyond_the_limit_get_429_with_retry_after(
    client: TestClient, other_address: TestClient, db: Session
) -> None:
    assert [client.get("/login/sso").status_code for _ in range(LIMIT)] == [303] * LIMIT
    refused = client.get("/login/sso")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 61
    assert '<html lang="de"' in refused.text and "<h1>Zu viele Anfragen</h1>" in refused.text
    assert "location" not in refused.headers
    assert _count(db, LoginAttempt) == LIMIT  # the refused start wrote none
    # Coming back from the provider counts in the same budget (a failed one is audited).
    assert client.get("/auth/callback/sso?state=erfunden&code=x").status_code == 429
    # Another address has its own budget.
    assert other_address.get("/login/sso").status_code == 303


def test_unknown_providers_count_too_and_stop_filling_the_audit_log(
    client: TestClient, db: Session
) -> None:
    statuses = [client.get(f"/login/gibt-es-nicht-{n}").status_code for n in range(LIMIT + 5)]
    assert statuses == [400] * LIMIT + [429] * 5
    failures = select(func.count()).where(AuditEvent.action == "login_failed")
    assert db.scalar(failures) == LIMIT


def test_the_limit_is_per_minute(client: TestClient) -> None:
    for _ in range(LIMIT + 1):
        client.get("/login/sso")
    assert client.get("/login/sso").status_code == 429
    clock.travel(dt.timedelta(minutes=1, seconds=1))
    assert client.get("/login/sso").status_code == 303


def test_one_ipv6_network_shares_one_counter(app: FastAPI, db: Session) -> None:
    """A /64 hands one host more addresses than it could ever use up one by one."""
    statuses = []
    for host in range(LIMIT + 2):
        for client in _from(app, f"2001:db8:0:7::{host + 1:x}"):
            statuses.append(client.get("/login/sso").status_code)
    assert statuses == [303] * LIMIT + [429] * 2
    assert _count(db, RateCounter) == 1


def test_counters_of_past_minutes_do_not_pile_up(client: TestClient, db: Session) -> None:
    for minute in range(10):
        client.get("/login/sso")
        clock.travel(dt.timedelta(minutes=1))
        assert _count(db, RateCounter) <= 6, minute
