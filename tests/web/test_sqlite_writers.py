"""Many writers at once against a real server (on SQLite above all): the write lock is held
only while a route's own statements run, so no request waits for a lock that its own
request (or one waiting for a thread) holds.

Before, a POST took SQLite's database-wide lock with its first statement (who is signed in)
and kept it across thread hand-overs, and the once-a-minute activity of an idle session was
written on a second connection that waited for the lock its own request held: a member's
comment after a minute of reading failed with 500 after 30 s and was lost, and a dozen
anonymous POSTs with made-up session cookies stalled every write.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx2
import pytest
from sqlalchemy import func, select, update

from app.auth import sessions
from app.auth.models import AuthSession
from app.comments.models import Comment
from app.core.clock import utcnow
from app.db import unit_of_work
from tests import factories
from tests.browser.conftest import LiveServer, start_live_server, stop_live_server

MEMBERS = 10
POSTS_EACH = 5
ANONYMOUS = 12
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class Writer:
    account_id: int
    token: str


@pytest.fixture
def live(fresh_database_url: str) -> Iterator[LiveServer]:
    server = start_live_server(fresh_database_url)
    yield server
    stop_live_server(server)


def _setup(live: LiveServer) -> tuple[int, list[Writer]]:
    with unit_of_work(live.sessions) as db:
        town = factories.municipality(db, "Schreibstadt")
        members = [
            factories.account(db, f"Schreiberin {index}", municipality=town)
            for index in range(MEMBERS)
        ]
        vorhaben = factories.vorhaben(db, members[0], "Viele Schreibende", settings=live.settings)
        writers = [
            Writer(
                member.id,
                sessions.create(
                    db, live.settings, member, provider="sso", auth_time=utcnow()
                ).token,
            )
            for member in members
        ]
        # Half of them read for over a minute: their next request records activity.
        idle = [writer.account_id for writer in writers[::2]]
        db.execute(
            update(AuthSession)
            .where(AuthSession.account_id.in_(idle))
            .values(last_seen_at=utcnow() - dt.timedelta(minutes=2))
        )
        return vorhaben.id, writers


def _client(live: LiveServer, session_token: str | None) -> tuple[httpx2.Client, str]:
    client = httpx2.Client(base_url=live.url, timeout=60, follow_redirects=False)
    page = client.get("/login")  # a CSRF cookie and its token, as any browser gets
    token = CSRF.search(page.text)
    assert token is not None
    if session_token is not None:
        client.cookies.set("allmende_session", session_token)
    return client, token.group(1)


def test_parallel_comments_of_idle_members_and_anonymous_posts_all_finish(
    live: LiveServer,
) -> None:
    vorhaben_id, writers = _setup(live)
    path = f"/vorhaben/{vorhaben_id}/comments"

    def member_posts(writer: Writer) -> list[int]:
        client, token = _client(live, writer.token)
        try:
            return [
                client.post(
                    path,
                    data={"body": f"Beitrag {number} von {writer.account_id}", "csrf_token": token},
                ).status_code
                for number in range(POSTS_EACH)
            ]
        finally:
            client.close()

    def anonymous_post(_index: int) -> list[int]:
        client, token = _client(live, secrets.token_urlsafe(32))  # a made-up session
        try:
            return [client.post(path, data={"body": "Hallo", "csrf_token": token}).status_code]
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=MEMBERS + ANONYMOUS) as pool:
        members = [pool.submit(member_posts, writer) for writer in writers]
        strangers = [pool.submit(anonymous_post, index) for index in range(ANONYMOUS)]
        member_results = [future.result() for future in members]
        anonymous_results = [future.result() for future in strangers]

    assert all(status == 303 for statuses in member_results for status in statuses), member_results
    assert all(status in {303, 401} for [status] in anonymous_results), anonymous_results
    # Nothing typed was lost: every comment is there, once.
    with unit_of_work(live.sessions) as db:
        for writer in writers:
            bodies = set(
                db.scalars(select(Comment.body).where(Comment.author_id == writer.account_id))
            )
            assert bodies == {
                f"Beitrag {number} von {writer.account_id}" for number in range(POSTS_EACH)
            }
        # The idle sessions' activity was recorded (by their own requests).
        stale = db.scalar(
            select(func.count())
            .select_from(AuthSession)
            .where(AuthSession.last_seen_at < utcnow() - dt.timedelta(minutes=1))
        )
        assert stale == 0
