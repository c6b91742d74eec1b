"""Server-side sessions over time (idle timeout, absolute lifetime) and "my sessions":
a member sees their other browsers and ends one or all of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth import sessions
from app.auth.models import AuthSession
from app.config import Settings
from app.core import clock
from app.core.clock import utcnow
from app.web import csrf
from tests import factories

pytestmark = pytest.mark.commits

HOUR = dt.timedelta(hours=1)


def _signed_in(client: TestClient) -> bool:
    response = client.get("/konto")
    if response.status_code == 200:
        return True
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    return False


def _session_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuthSession)) or 0)


def test_a_session_ends_after_eight_idle_hours(
    client: TestClient, db: Session, settings: Settings
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    assert _signed_in(client)
    # Activity keeps it alive: 16 hours in all, never more than 8 without a request.
    clock.travel(7 * HOUR + dt.timedelta(minutes=59))
    assert _signed_in(client)
    clock.travel(7 * HOUR + dt.timedelta(minutes=59))
    assert _signed_in(client)
    clock.travel(8 * HOUR + dt.timedelta(minutes=1))
    response = client.get("/konto")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # The dead cookie is cleared, and maintenance removes the row.
    cleared = [
        cookie
        for cookie in response.headers.get_list("set-cookie")
        if cookie.startswith(csrf.session_cookie_name(settings) + "=")
    ]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=" in cleared[0].lower())
    assert sessions.end_expired(db, settings) == 1
    assert _session_count(db) == 0


def test_a_session_ends_after_seven_days_however_active(
    client: TestClient, db: Session, settings: Settings
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    for _ in range(23):  # 161 hours, a request every 7 hours
        clock.travel(7 * HOUR)
        assert _signed_in(client)
    clock.travel(7 * HOUR)  # 168 hours: seven days
    assert not _signed_in(client)
    assert sessions.end_expired(db, settings) == 1


@pytest.mark.parametrize(
    "settings_overrides",
    [{"session_idle_timeout_seconds": 3600, "session_max_age_seconds": 3 * 3600}],
)
def test_both_limits_are_configurable(
    client: TestClient, app: FastAPI, db: Session, settings: Settings
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    clock.travel(dt.timedelta(minutes=61))
    assert not _signed_in(client)
    with TestClient(app, follow_redirects=False) as other:
        factories.login(other, db, member)
        for _ in range(5):  # every 35 minutes, for 2 h 55 min
            clock.travel(dt.timedelta(minutes=35))
            assert _signed_in(other)
        clock.travel(dt.timedelta(minutes=6))  # past three hours
        assert not _signed_in(other)


def _second_browser(app: FastAPI, db: Session, who: factories.Account, agent: str) -> TestClient:
    browser = TestClient(app, follow_redirects=False)
    new = sessions.create(
        db, app.state.settings, who, provider="sso", auth_time=utcnow(), user_agent=agent
    )
    db.flush()
    browser.cookies.set(csrf.session_cookie_name(app.state.settings), new.token)
    return browser


def _end_forms(html: str) -> list[str]:
    return re.findall(r'action="/konto/sitzungen/(\d+)/beenden"', html)


TABLET = "Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0"


def test_a_member_sees_their_other_sessions_and_ends_one(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    member = factories.account(db, "Hanna")
    factories.login(client, db, member)
    tablet = _second_browser(app, db, member, TABLET)
    stranger = factories.account(db, "Fremd")
    strangers_phone = _second_browser(app, db, stranger, "Fremdes Telefon")
    tablet_id = db.scalars(select(AuthSession.id).where(AuthSession.user_agent == TABLET)).one()
    strangers_id = db.scalars(
        select(AuthSession.id).where(AuthSession.user_agent == "Fremdes Telefon")
    ).one()

    page = client.get("/konto").text
    assert "Firefox Mobile 133 unter Android" in page and "Diese Sitzung" in page
    assert "Fremdes Telefon" not in page
    assert _end_forms(page) == [str(tablet_id)]  # no button to end the current one

    token = factories.csrf_token(client, "/konto")
    # Neither another person's session nor the current one can be ended this way.
    for foreign in (strangers_id, 999_999):
        refused = client.post(f"/konto/sitzungen/{foreign}/beenden", data={"csrf_token": token})
        assert refused.status_code == 404
    assert _signed_in(strangers_phone)

    response = client.post(f"/konto/sitzungen/{tablet_id}/beenden", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/konto"
    assert "Die Sitzung wurde beendet." in client.get("/konto").text
    assert not _signed_in(tablet)  # at its very next request
    assert _signed_in(client)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "session_ended")).one()
    assert event.actor_id == member.id and event.object_id == str(tablet_id)
    tablet.close()
    strangers_phone.close()


def test_ending_all_other_sessions_keeps_this_one(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    others = [_second_browser(app, db, member, agent) for agent in ("Laptop", "Telefon")]
    stranger = factories.account(db)
    strangers = _second_browser(app, db, stranger, "Fremd")
    page = client.get("/konto").text
    assert len(_end_forms(page)) == 2 and "Alle anderen Sitzungen beenden" in page
    response = client.post(
        "/konto/sitzungen/andere-beenden",
        data={"csrf_token": factories.csrf_token(client, "/konto")},
    )
    assert response.status_code == 303
    assert [_signed_in(browser) for browser in others] == [False, False]
    assert _signed_in(client) and _signed_in(strangers)
    page = client.get("/konto").text
    assert _end_forms(page) == [] and "Alle anderen Sitzungen beenden" not in page
    for browser in (*others, strangers):
        browser.close()


def test_sessions_past_their_idle_limit_are_not_listed(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    member = factories.account(db)
    _second_browser(app, db, member, "Alter Rechner").close()
    clock.travel(9 * HOUR)
    factories.login(client, db, member)
    page = client.get("/konto").text
    assert "Alter Rechner" not in page
    assert _end_forms(page) == []
