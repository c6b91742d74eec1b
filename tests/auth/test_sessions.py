"""app.auth.sessions with two processes on one database that commits: a session ended or an
account changed in one takes effect at the very next request in the other (nothing about
who is signed in is kept between requests), and activity is written once a minute."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update
from sqlalchemy.engine import Connection

from app.accounts.models import Account, AccountState, Role
from app.auth import sessions
from app.config import Settings
from app.core import clock
from app.core.clock import utcnow
from app.db import unit_of_work
from app.web import csrf
from tests import factories
from tests.conftest import Process

Pair = tuple[Process, Process]
Signed = tuple[int, str]  # the member's id, the session's token
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def _client(process: Process, settings: Settings, token: str) -> TestClient:
    client = TestClient(process.app, follow_redirects=False)
    client.cookies.set(csrf.session_cookie_name(settings), token)
    return client


def _signed_in_member(client: TestClient) -> bool:
    response = client.get("/vorhaben")
    if response.status_code == 200:
        return True
    assert response.status_code in {303, 403}, response.status_code
    return False


@pytest.fixture
def member_session(processes: Pair, committed_settings: Settings) -> Signed:
    one, _other = processes
    with unit_of_work(one.sessions) as db:
        member = factories.account(db, "Sina Sitzung")
        token = sessions.create(
            db, committed_settings, member, provider="sso", auth_time=utcnow()
        ).token
    return member.id, token


def test_a_session_ended_in_one_process_is_refused_by_the_other(
    processes: tuple[Process, Process],
    committed_settings: Settings,
    member_session: tuple[int, str],
) -> None:
    one, other = processes
    _member_id, token = member_session
    reader = _client(one, committed_settings, token)
    assert _signed_in_member(reader)
    assert _signed_in_member(reader)
    with unit_of_work(other.sessions) as db:
        assert sessions.end_by_token(db, token) is not None  # signed out elsewhere
    assert not _signed_in_member(reader)


def test_a_suspension_or_a_lost_role_elsewhere_counts_at_the_next_request(
    processes: tuple[Process, Process],
    committed_settings: Settings,
    member_session: tuple[int, str],
) -> None:
    one, other = processes
    member_id, token = member_session
    with unit_of_work(other.sessions) as db:
        db.execute(update(Account).where(Account.id == member_id).values(role=Role.MODERATOR))
    reader = _client(one, committed_settings, token)
    assert reader.get("/moderation/applications").status_code == 200
    with unit_of_work(other.sessions) as db:
        db.execute(update(Account).where(Account.id == member_id).values(role=Role.MEMBER))
    assert reader.get("/moderation/applications").status_code == 403
    with unit_of_work(other.sessions) as db:
        db.execute(
            update(Account).where(Account.id == member_id).values(state=AccountState.SUSPENDED)
        )
    assert not _signed_in_member(reader)


def _touches(process: Process) -> list[str]:
    seen: list[str] = []

    @event.listens_for(process.engine, "before_cursor_execute")
    def record(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE sessions"):
            seen.append(statement)

    return seen


def test_activity_is_written_once_a_minute(
    processes: tuple[Process, Process],
    committed_settings: Settings,
    member_session: tuple[int, str],
) -> None:
    one, _other = processes
    _member_id, token = member_session
    touches = _touches(one)
    reader = _client(one, committed_settings, token)
    assert _signed_in_member(reader)
    assert touches == []  # the session is brand new
    clock.travel(2 * MINUTE)
    for _ in range(3):
        assert _signed_in_member(reader)
    assert len(touches) == 1
    clock.travel(30 * dt.timedelta(seconds=1))
    assert _signed_in_member(reader)
    assert len(touches) == 1
    clock.travel(MINUTE)
    assert _signed_in_member(reader)
    assert len(touches) == 2


def test_activity_seen_by_another_process_keeps_the_session_alive(
    processes: tuple[Process, Process],
    committed_settings: Settings,
    member_session: tuple[int, str],
) -> None:
    """The member starts in one, then works through other for seven hours: one must go by
    the row (one idle hour), not by what it saw first (eight)."""
    one, other = processes
    _member_id, token = member_session
    idle = dt.timedelta(seconds=committed_settings.session_idle_timeout_seconds)
    first = _client(one, committed_settings, token)
    second = _client(other, committed_settings, token)
    assert _signed_in_member(first)
    for _ in range(7):
        clock.travel(HOUR)
        assert _signed_in_member(second)
    clock.travel(idle - 7 * HOUR + MINUTE)  # idle since the start, if one's copy were right
    assert _signed_in_member(first)
    clock.travel(idle + MINUTE)  # now idle for real
    assert not _signed_in_member(first)
    assert not _signed_in_member(second)


def test_a_session_past_its_absolute_limit_is_refused_from_the_cache_too(
    processes: tuple[Process, Process],
    committed_settings: Settings,
    member_session: tuple[int, str],
) -> None:
    one, _other = processes
    _member_id, token = member_session
    reader = _client(one, committed_settings, token)
    lifetime = dt.timedelta(seconds=committed_settings.session_max_age_seconds)
    assert _signed_in_member(reader)
    step = dt.timedelta(seconds=committed_settings.session_idle_timeout_seconds) - HOUR
    travelled = dt.timedelta()
    while travelled + step < lifetime:
        clock.travel(step)
        travelled += step
        assert _signed_in_member(reader)
    clock.travel(lifetime - travelled + MINUTE)
    assert not _signed_in_member(reader)
