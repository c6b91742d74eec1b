"""The personal calendar feed: a secret address made on the account page, read without a
session, never in a log; it shows only the dates of Vorhaben its owner follows or wrote
and may see at that moment, and answers nothing once revoked or its owner is gone."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.config import Settings
from app.dates import service as dates
from app.dates.forms import TerminForm
from app.dates.models import CalendarFeed, Termin
from app.membership import accounts
from app.moderation import reports
from app.vorhaben import cooperation
from app.vorhaben.models import Follow, Visibility, Vorhaben
from tests import factories

pytestmark = pytest.mark.commits


def _date(db: Session, who: factories.Account, vorhaben: Vorhaben, title: str) -> Termin:
    return dates.add(db, who, vorhaben.id, TerminForm(title=title, start_date="2027-06-10"))


def _feed_path(client: TestClient, db: Session, who: factories.Account) -> str:
    """Make a feed address on the account page as `who`; leaves the client signed out."""
    factories.login(client, db, who)
    token = factories.csrf_token(client, "/konto")
    page = client.post("/konto/kalender", data={"csrf_token": token})
    assert page.status_code == 200
    match = re.search(r'value="https?://[^/"]+(/kalender/[^"]+\.ics)"', page.text)
    assert match, "the page shows the address"
    client.cookies.clear()  # calendar apps have no session
    return match.group(1)


def _titles(client: TestClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    return sorted(str(event["SUMMARY"]) for event in events)


def test_the_feed_shows_followed_and_own_dates_without_a_session(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db, "Olga Owner")
    mine = factories.vorhaben(db, owner, "Eigenes")
    _date(db, owner, mine, "Eigener Termin")
    other = factories.account(db)
    followed = factories.vorhaben(db, other, "Gefolgt")
    _date(db, other, followed, "Gefolgter Termin")
    unrelated = factories.vorhaben(db, other, "Fremd")
    _date(db, other, unrelated, "Fremder Termin")
    cooperation.set_follow(db, owner, followed.id, on=True)
    path = _feed_path(client, db, owner)
    assert _titles(client, path) == ["Eigener Termin", "Gefolgter Termin"]
    stored = db.scalars(select(CalendarFeed.token_hash)).one()
    assert path.removeprefix("/kalender/").removesuffix(".ics") not in stored  # kept hashed


def test_wrong_renewed_and_revoked_tokens_get_404(client: TestClient, db: Session) -> None:
    owner = factories.account(db)
    _date(db, owner, factories.vorhaben(db, owner), "Treffen")
    first = _feed_path(client, db, owner)
    assert client.get(first).status_code == 200
    assert client.get(first.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/kalender/.ics").status_code == 404
    assert client.get("/kalender/%00.ics").status_code in {400, 404}
    second = _feed_path(client, db, owner)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    factories.login(client, db, owner)
    assert "Neue Adresse erzeugen" in client.get("/konto").text
    token = factories.csrf_token(client, "/konto")
    revoked = client.post("/konto/kalender/widerrufen", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert "Kalender-Adresse erzeugen" in client.get("/konto").text
    client.cookies.clear()
    assert client.get(second).status_code == 404
    assert db.scalars(select(CalendarFeed)).all() == []


def test_making_and_revoking_need_the_csrf_token(client: TestClient, db: Session) -> None:
    owner = factories.account(db)
    factories.login(client, db, owner)
    assert client.post("/konto/kalender", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/konto/kalender/widerrufen").status_code == 403
    assert db.scalars(select(CalendarFeed)).all() == []


def test_a_municipality_only_date_never_reaches_another_municipality(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db)
    internal = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    _date(db, owner, internal, "Interne Sitzung")
    outsider = factories.account(db)
    # Even a follow left over from before (or written by mistake) does not open it.
    db.add(Follow(account_id=outsider.id, vorhaben_id=internal.id))
    db.flush()
    assert _titles(client, _feed_path(client, db, outsider)) == []
    assert _titles(client, _feed_path(client, db, owner)) == ["Interne Sitzung"]


def test_restricting_or_hiding_a_vorhaben_takes_its_dates_out_of_the_feed(
    client: TestClient, db: Session, settings: Settings
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Erst offen")
    _date(db, owner, vorhaben, "Treffen")
    follower = factories.account(db)
    cooperation.set_follow(db, follower, vorhaben.id, on=True)
    home = db.get(factories.Municipality, owner.municipality_id)
    colleague = factories.account(db, municipality=home)
    cooperation.set_follow(db, colleague, vorhaben.id, on=True)
    follower_feed = _feed_path(client, db, follower)
    colleague_feed = _feed_path(client, db, colleague)
    assert _titles(client, follower_feed) == ["Treffen"]
    vorhaben.visibility = Visibility.MUNICIPALITY
    db.flush()
    assert _titles(client, follower_feed) == []
    assert _titles(client, colleague_feed) == ["Treffen"]
    # A moderator who may see it (of the same municipality) hides it.
    moderator = factories.account(db, role=factories.Role.MODERATOR, municipality=home)
    reports.decide(db, settings, moderator, "vorhaben", vorhaben.id, "hide", "Unzulässig")
    assert _titles(client, colleague_feed) == []
    assert _titles(client, _feed_path(client, db, owner)) == ["Treffen"]  # the author sees it


def test_changes_raise_the_sequence_and_deleted_dates_drop_out(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner)
    kept = _date(db, owner, vorhaben, "Bleibt")
    gone = _date(db, owner, vorhaben, "Fällt aus")
    path = _feed_path(client, db, owner)
    before = {str(e["UID"]): e for e in Calendar.from_ical(client.get(path).content).walk("VEVENT")}
    dates.change(db, owner, kept.id, TerminForm(title="Bleibt, später", start_date="2027-06-11"))
    dates.delete(db, owner, gone.id)
    [event] = Calendar.from_ical(client.get(path).content).walk("VEVENT")
    assert str(event["UID"]) in before  # the same UID: calendars update, not duplicate
    assert event.decoded("SEQUENCE") == before[str(event["UID"])].decoded("SEQUENCE") + 1
    assert str(event["SUMMARY"]) == "Bleibt, später"


def test_a_suspended_member_s_feed_is_gone_and_an_erased_one_s_deleted(
    client: TestClient, db: Session, settings: Settings
) -> None:
    member = factories.account(db)
    _date(db, member, factories.vorhaben(db, member), "Treffen")
    admin = factories.account(db, role=factories.Role.ADMIN)
    path = _feed_path(client, db, member)
    accounts.suspend(db, settings, admin, member.id, "Vorübergehend")
    assert client.get(path).status_code == 410
    assert b"Treffen" not in client.get(path).content
    privacy.erase(db, settings, member, actor=member)
    assert client.get(path).status_code == 404
    assert db.scalars(select(CalendarFeed)).all() == []


def test_the_token_never_reaches_a_log(
    client: TestClient,
    db: Session,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    owner = factories.account(db)
    path = _feed_path(client, db, owner)
    token = path.removeprefix("/kalender/").removesuffix(".ics")
    assert client.get(path).status_code == 200
    assert client.get(path.replace(".ics", "-falsch.ics")).status_code == 404
    captured = capfd.readouterr()
    assert "/kalender/[redacted]" in captured.err + caplog.text
    assert token not in captured.out + captured.err + caplog.text


def test_the_own_data_export_has_the_dates_entered_and_the_feed_but_no_token(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db)
    termin = _date(db, owner, factories.vorhaben(db, owner), "Treffen")
    path = _feed_path(client, db, owner)
    mine = privacy.export(db, owner)
    assert [(row["id"], row["title"]) for row in mine["termine"]] == [(termin.id, "Treffen")]
    assert len(mine["calendar_feed"]) == 1
    stored = db.scalars(select(CalendarFeed.token_hash)).one()
    text = str(mine)
    assert path.removeprefix("/kalender/").removesuffix(".ics") not in text
    assert stored not in text
