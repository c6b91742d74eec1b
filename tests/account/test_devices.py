"""Signed-in devices in words: "Chrome 131 unter Windows", not a raw user-agent string."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.account.devices import describe
from app.auth.models import AuthSession
from app.i18n import using_locale
from tests import factories

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "german"),
    [
        (CHROME_WINDOWS, "Chrome 131 unter Windows"),
        (SAFARI_IPHONE, "Mobile Safari 17 auf iPhone (iOS)"),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133 unter Linux",
        ),
        ("curl/8.5.0", "curl 8"),
        ("irgendwas", "Unbekannter Browser"),
        ("", "unbekannt"),
        (None, "unbekannt"),
    ],
)
def test_user_agents_are_described_in_words(agent: str | None, german: str) -> None:
    with using_locale("de"):
        assert describe(agent) == german


def test_the_sessions_table_names_browser_and_system(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    db.execute(update(AuthSession).values(user_agent=CHROME_WINDOWS))
    page = client.get("/konto").text
    sessions = page.split('id="sitzungen"')[1]
    assert "Chrome 131 unter Windows" in sessions
    assert "AppleWebKit" not in sessions
