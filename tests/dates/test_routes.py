"""Dates through the pages, as a browser sends them: add, change, delete with the CSRF
token; who may, who may not; a wrong form comes back with what was typed; one date as an
iCalendar file that `icalendar` reads back."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.dates.models import Termin
from tests import factories

FORM = {
    "kind": "treffen",
    "title": "Vernetzungstreffen Bürgerportal",
    "start_date": "2027-06-10",
    "start_time": "10:00",
    "end_date": "",
    "end_time": "12:30",
    "place": "Rathaus, Raum 2.14",
    "link": "https://meet.example.org/buergerportal",
    "note": "Bitte Laptop mitbringen.",
}


def _post(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> Response:
    token = factories.csrf_token(client, page)
    return client.post(path, data={"csrf_token": token, **data})


def _owner(client: TestClient, db: Session) -> tuple[factories.Account, int]:
    owner = factories.account(db, "Olga Owner")
    vorhaben = factories.vorhaben(db, owner, "Digitales Bürgerportal")
    factories.login(client, db, owner)
    return owner, vorhaben.id


def _only(db: Session) -> Termin:
    return db.scalars(select(Termin)).one()


def test_an_editor_adds_a_date_that_the_page_lists(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert f'href="/vorhaben/{vorhaben_id}/termine/neu"' in page
    assert client.get(f"/vorhaben/{vorhaben_id}/termine/neu").status_code == 200
    response = _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    assert response.status_code == 303
    assert response.headers["location"] == f"/vorhaben/{vorhaben_id}#termine"
    termin = _only(db)
    assert termin.starts_at == dt.datetime(2027, 6, 10, 8, 0, tzinfo=dt.UTC)
    assert termin.sequence == 0
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    section = page.split('id="termine"')[1].split("</section>")[0]
    assert "Vernetzungstreffen Bürgerportal" in section
    assert "10.06.2027, 10:00 – 12:30" in section
    assert "Rathaus, Raum 2.14" in section
    assert f'href="/termine/{termin.id}.ics"' in section


def test_a_wrong_form_comes_back_with_everything_typed(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    typed = {
        **FORM,
        "start_date": "2027-02-31",
        "link": "javascript:alert(1)",
        "title": "Treffen <b>mit</b> „Anführung“",
        "note": "Zeile eins\nZeile zwei",
    }
    response = _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", typed)
    assert response.status_code == 422
    assert 'value="2027-02-31"' in response.text
    assert 'value="javascript:alert(1)"' in response.text  # shown as text, never as a link
    assert 'href="javascript:' not in response.text
    assert "Treffen &lt;b&gt;mit&lt;/b&gt; „Anführung“" in response.text
    assert "Zeile eins\nZeile zwei</textarea>" in response.text
    assert 'id="error-start_date"' in response.text and 'id="error-link"' in response.text
    assert db.scalars(select(Termin)).all() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "Treffen\x00"},
        {"start_time": "\x00"},
        {"end_date": "2027-06-01"},
        {"start_date": "0000-00-00"},
        {"kind": "\x00"},
        {"start_date": "2027-06-10T10:00"},
    ],
)
def test_no_input_makes_a_500(client: TestClient, db: Session, changes: dict[str, str]) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    response = _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", {**FORM, **changes})
    # A NUL byte the request guard refuses before any route (400); the rest is the form's.
    assert response.status_code == (400 if any("\x00" in v for v in changes.values()) else 422)
    assert db.scalars(select(Termin)).all() == []


def test_changing_a_date_raises_its_sequence(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    termin = _only(db)
    form = client.get(f"/termine/{termin.id}/bearbeiten").text
    assert 'value="2027-06-10"' in form and 'value="12:30"' in form
    changed = {**FORM, "title": "Verschoben", "start_date": "2027-06-11"}
    response = _post(client, f"/termine/{termin.id}/bearbeiten", changed)
    assert response.status_code == 303
    db.refresh(termin)
    assert (termin.title, termin.sequence) == ("Verschoben", 1)
    wrong = _post(client, f"/termine/{termin.id}/bearbeiten", {**changed, "end_time": "08:00"})
    assert wrong.status_code == 422 and 'value="Verschoben"' in wrong.text
    db.refresh(termin)
    assert termin.sequence == 1
    assert db.scalars(select(AuditEvent).where(AuditEvent.object_type == "termin")).all() == []


def test_others_may_not_add_change_or_delete(client: TestClient, db: Session) -> None:
    owner, vorhaben_id = _owner(client, db)
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    termin = _only(db)
    factories.login(client, db, factories.account(db))  # a member of another municipality
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert "Vernetzungstreffen" in page
    assert f"/termine/{termin.id}/bearbeiten" not in page
    assert "/termine/neu" not in page
    assert client.get(f"/vorhaben/{vorhaben_id}/termine/neu").status_code == 403
    assert _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM).status_code == 403
    assert client.get(f"/termine/{termin.id}/bearbeiten").status_code == 403
    assert _post(client, f"/termine/{termin.id}/bearbeiten", FORM).status_code == 403
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 403
    assert client.get(f"/termine/{termin.id}.ics").status_code == 200  # reading is fine
    # A colleague of the owning municipality may edit the Vorhaben, so its dates too.
    home = db.get(factories.Municipality, owner.municipality_id)
    factories.login(client, db, factories.account(db, municipality=home))
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 303
    assert db.scalars(select(Termin)).all() == []


def test_state_changes_need_the_csrf_token(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    assert client.post(f"/vorhaben/{vorhaben_id}/termine/neu", data=FORM).status_code == 403
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    termin = _only(db)
    forged = {"csrf_token": "forged", **FORM}
    assert client.post(f"/termine/{termin.id}/bearbeiten", data=forged).status_code == 403
    assert client.post(f"/termine/{termin.id}/loeschen", data=forged).status_code == 403
    assert _only(db).title == FORM["title"]


def test_a_moderator_changes_and_deletes_on_the_record(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    termin = _only(db)
    moderator = factories.account(db, "Mona Moderator", role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    assert f"/termine/{termin.id}/bearbeiten" in client.get(f"/vorhaben/{vorhaben_id}").text
    changed = {**FORM, "link": ""}
    assert _post(client, f"/termine/{termin.id}/bearbeiten", changed).status_code == 303
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 303
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "termin").order_by(AuditEvent.id)
    ).all()
    assert actions == ["termin_changed", "termin_deleted"]
    assert client.get(f"/termine/{termin.id}.ics").status_code == 404


def test_one_date_as_an_icalendar_file(client: TestClient, db: Session) -> None:
    _owner_account, vorhaben_id = _owner(client, db)
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", FORM)
    whole_day = {**FORM, "kind": "foerderfrist", "title": "Förderfrist", "start_time": ""}
    whole_day |= {"end_time": "", "end_date": "2027-06-12", "link": ""}
    _post(client, f"/vorhaben/{vorhaben_id}/termine/neu", whole_day)
    timed, deadline = db.scalars(select(Termin).order_by(Termin.id)).all()
    response = client.get(f"/termine/{timed.id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Vernetzungstreffen Bürgerportal"
    assert event.decoded("DTSTART") == dt.datetime(2027, 6, 10, 8, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2027, 6, 10, 10, 30, tzinfo=dt.UTC)
    assert str(event["LOCATION"]) == "Rathaus, Raum 2.14"
    assert str(event["URL"]) == "https://meet.example.org/buergerportal"
    assert str(event["UID"]).startswith(f"termin-{timed.id}@")
    assert event.decoded("SEQUENCE") == 0
    assert f"/vorhaben/{vorhaben_id}" in str(event["DESCRIPTION"])
    [day] = Calendar.from_ical(client.get(f"/termine/{deadline.id}.ics").content).walk("VEVENT")
    assert day.decoded("DTSTART") == dt.date(2027, 6, 10)
    assert day.decoded("DTEND") == dt.date(2027, 6, 13)  # exclusive: the 12th is the last day


def test_a_restricted_vorhaben_keeps_its_dates_in_its_municipality(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    factories.login(client, db, owner)
    _post(client, f"/vorhaben/{vorhaben.id}/termine/neu", FORM)
    termin = _only(db)
    factories.login(client, db, factories.account(db))
    for path in (f"/termine/{termin.id}.ics", f"/termine/{termin.id}/bearbeiten"):
        assert client.get(path).status_code == 404, path
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 404
    assert _post(client, f"/vorhaben/{vorhaben.id}/termine/neu", FORM).status_code == 404
    client.cookies.clear()
    anonymous = client.get(f"/termine/{termin.id}.ics")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
