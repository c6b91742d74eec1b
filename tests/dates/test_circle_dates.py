"""Dates of circles and topics: circle moderators enter a circle's dates, a topic's author
and the circle moderators a topic's; the circle page and the topic page list them; an
.ics for each; and nobody outside the circle (someone else, a join request, an applicant,
a member who left, nobody signed in) reaches any of it. The personal feed carries the
dates of the member's circles, and drops them once the member leaves."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.circles import service as circles
from app.circles.models import Circle, CircleMembership, MembershipState, Topic
from app.core.clock import utcnow
from app.dates import service as dates
from app.dates.forms import TerminForm
from app.dates.models import Kind, Termin
from app.topics import service as topics
from tests import factories

FORM = {
    "kind": "workshop",
    "title": "Geheimworkshop Glasfaser",
    "start_date": "2027-06-10",
    "start_time": "10:00",
    "end_date": "",
    "end_time": "12:00",
    "place": "Kreishaus",
    "link": "https://meet.example.org/glasfaser",
    "note": "",
}


def _post(client: TestClient, path: str, data: dict[str, str]) -> Response:
    token = factories.csrf_token(client, "/kreise")
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def _words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _circle(db: Session) -> tuple[Circle, Topic, factories.Account, factories.Account]:
    lead = factories.account(db, "Lea Lead")
    author = factories.account(db, "Tina Thema")
    circle = factories.circle(db, "AG Glasfaser", moderators=[lead], members=[author])
    topic = topics.create(db, author, circle.id, "Ausbauplanung", "Wie planen wir?")
    return circle, topic, lead, author


def _date(db: Session, who: factories.Account, owner: dates.Owner, title: str) -> Termin:
    return dates.add_to(db, who, owner, TerminForm(title=title, start_date="2027-06-10"))


def test_a_circle_moderator_enters_a_date_the_circle_page_lists(
    client: TestClient, db: Session
) -> None:
    circle, _topic, lead, author = _circle(db)
    factories.login(client, db, lead)
    page = client.get(f"/kreise/{circle.id}").text
    assert f'href="/kreise/{circle.id}/termine/neu"' in page
    assert client.get(f"/kreise/{circle.id}/termine/neu").status_code == 200
    response = _post(client, f"/kreise/{circle.id}/termine/neu", FORM)
    assert response.status_code == 303
    assert response.headers["location"] == f"/kreise/{circle.id}#termine"
    termin = db.scalars(select(Termin)).one()
    assert (termin.circle_id, termin.vorhaben_id, termin.topic_id) == (circle.id, None, None)
    assert termin.kind is Kind.WORKSHOP
    # A plain member sees it and downloads it, but neither enters nor changes dates.
    factories.login(client, db, author)
    section = client.get(f"/kreise/{circle.id}").text.split('id="termine"')[1]
    section = section.split("</section>")[0]
    assert "Geheimworkshop Glasfaser" in section and "Kreishaus" in section
    assert "/termine/neu" not in section and "/bearbeiten" not in section
    ics = client.get(f"/termine/{termin.id}.ics")
    assert ics.status_code == 200
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Geheimworkshop Glasfaser"
    assert f"/kreise/{circle.id}" in str(event["DESCRIPTION"])
    assert "Kreis „AG Glasfaser“" in str(event["DESCRIPTION"])
    assert client.get(f"/kreise/{circle.id}/termine/neu").status_code == 403
    assert _post(client, f"/kreise/{circle.id}/termine/neu", FORM).status_code == 403
    assert client.get(f"/termine/{termin.id}/bearbeiten").status_code == 403
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 403
    # The circle moderator changes and deletes it; the page follows.
    factories.login(client, db, lead)
    changed = _post(client, f"/termine/{termin.id}/bearbeiten", {**FORM, "title": "Neu"})
    assert changed.headers["location"] == f"/kreise/{circle.id}#termine"
    db.refresh(termin)
    assert (termin.title, termin.sequence) == ("Neu", 1)
    assert _post(client, f"/termine/{termin.id}/loeschen", {}).status_code == 303
    assert db.scalars(select(Termin)).all() == []


def test_the_topics_author_enters_a_date_on_the_topic_page(client: TestClient, db: Session) -> None:
    circle, topic, lead, author = _circle(db)
    other = factories.account(db, "Olaf Other")
    db.add(CircleMembership(circle_id=circle.id, account_id=other.id, state=MembershipState.ACTIVE))
    path = f"/kreise/{circle.id}/themen/{topic.id}"
    factories.login(client, db, author)
    assert f'href="{path}/termine/neu"' in client.get(path).text
    typed = {**FORM, "start_date": "2027-02-31"}
    wrong = _post(client, f"{path}/termine/neu", typed)
    assert wrong.status_code == 422 and 'value="2027-02-31"' in wrong.text
    response = _post(client, f"{path}/termine/neu", FORM)
    assert response.headers["location"] == f"{path}#termine"
    termin = db.scalars(select(Termin)).one()
    assert (termin.topic_id, termin.circle_id) == (topic.id, None)
    # Another member sees it, may not add or change; the circle moderator may.
    factories.login(client, db, other)
    page = client.get(path).text
    assert "Geheimworkshop Glasfaser" in page and f"{path}/termine/neu" not in page
    assert _post(client, f"{path}/termine/neu", FORM).status_code == 403
    assert client.get(f"/termine/{termin.id}/bearbeiten").status_code == 403
    assert client.get(f"/termine/{termin.id}.ics").status_code == 200
    factories.login(client, db, lead)
    assert client.get(f"/termine/{termin.id}/bearbeiten").status_code == 200
    assert f"{path}/termine/neu" in client.get(path).text
    # The topic under another circle's address is not there.
    elsewhere = factories.circle(db, "Andere Runde", moderators=[lead])
    assert client.get(f"/kreise/{elsewhere.id}/themen/{topic.id}/termine/neu").status_code == 404


@pytest.mark.parametrize("who", ["outsider", "requested", "former", "applicant", "anonymous"])
def test_nobody_outside_the_circle_reaches_its_dates(
    client: TestClient, db: Session, who: str
) -> None:
    circle, topic, lead, author = _circle(db)
    outsider = factories.account(db, "Otto Outsider")
    asking = factories.account(db, "Anna Anfrage")
    db.add(
        CircleMembership(circle_id=circle.id, account_id=asking.id, state=MembershipState.REQUESTED)
    )
    applicant = factories.account(db, "Anton Antrag", state=factories.AccountState.PENDING)
    factories.application(db, applicant, factories.municipality(db, "Antragstadt"))
    mine = dates.owner(db, lead, circle_id=circle.id)
    on_topic = dates.owner(db, lead, topic_id=topic.id)
    first = _date(db, lead, mine, "Geheimtreffen Kreis")
    second = _date(db, author, on_topic, "Geheimtreffen Thema")
    db.flush()
    addresses = [
        f"/kreise/{circle.id}",
        f"/kreise/{circle.id}/themen/{topic.id}",
        f"/kreise/{circle.id}/termine/neu",
        f"/kreise/{circle.id}/themen/{topic.id}/termine/neu",
        f"/termine/{first.id}.ics",
        f"/termine/{second.id}.ics",
        f"/termine/{first.id}/bearbeiten",
        f"/termine/{second.id}/bearbeiten",
        "/",
    ]
    if who == "former":
        circles.leave(db, author, circle)
    person = {"outsider": outsider, "requested": asking, "former": author}.get(who, applicant)
    if who != "anonymous":
        factories.login(client, db, person)
    for path in addresses:
        response = client.get(path, follow_redirects=False)
        assert "Geheimtreffen" not in _words(response.text), f"{path} as {who}"
        if who == "anonymous":
            assert response.status_code in (302, 303) and "/login" in response.headers["location"]
        elif who == "applicant":
            assert response.status_code in (302, 303, 403, 404), path
        elif "/termin" in path:
            assert response.status_code == 404, f"{path} as {who}"
    if who in ("outsider", "requested", "former"):
        for path in (f"/termine/{first.id}/loeschen", f"/termine/{second.id}/bearbeiten"):
            assert _post(client, path, FORM).status_code == 404
        assert _post(client, f"/kreise/{circle.id}/termine/neu", FORM).status_code == 404
        assert len(db.scalars(select(Termin)).all()) == 2


def _feed_titles(client: TestClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    return sorted(str(event["SUMMARY"]) for event in events)


def test_the_feed_and_dashboard_carry_the_circles_dates_until_the_member_leaves(
    client: TestClient, db: Session
) -> None:
    circle, topic, lead, author = _circle(db)
    quiet = factories.circle(db, "Fremder Kreis", moderators=[lead])
    _date(db, lead, dates.owner(db, lead, circle_id=circle.id), "Kreistreffen")
    _date(db, author, dates.owner(db, author, topic_id=topic.id), "Themenfrist")
    _date(db, lead, dates.owner(db, lead, circle_id=quiet.id), "Fremdtreffen")
    factories.login(client, db, author)
    dashboard = client.get("/").text.split('id="termine"')[1].split("</section>")[0]
    assert "Kreistreffen" in dashboard and "Themenfrist" in dashboard
    assert "Fremdtreffen" not in dashboard
    assert f'href="/kreise/{circle.id}/themen/{topic.id}#termin-' in dashboard
    token = factories.csrf_token(client, "/konto")
    made = client.post("/konto/kalender", data={"csrf_token": token})
    match = re.search(r'value="https?://[^/"]+(/kalender/[^"]+\.ics)"', made.text)
    assert match
    client.cookies.clear()
    assert _feed_titles(client, match.group(1)) == ["Kreistreffen", "Themenfrist"]
    circles.leave(db, author, circle)
    db.flush()
    # The same address, fetched later, no longer carries the circle's dates.
    assert _feed_titles(client, match.group(1)) == []


def test_a_date_has_exactly_one_owner(db: Session) -> None:
    circle, topic, lead, _author = _circle(db)
    both = Termin(
        circle_id=circle.id,
        topic_id=topic.id,
        kind=Kind.MEETING,
        title="Zwei Besitzer",
        starts_at=utcnow(),
        author_id=lead.id,
    )
    with db.begin_nested():
        db.add(both)
        with pytest.raises(IntegrityError):
            db.flush()


def test_deleting_a_topic_or_circle_deletes_its_dates(db: Session) -> None:
    circle, topic, lead, author = _circle(db)
    _date(db, author, dates.owner(db, author, topic_id=topic.id), "Themenfrist")
    _date(db, lead, dates.owner(db, lead, circle_id=circle.id), "Kreistreffen")
    db.delete(topic)
    db.flush()
    assert [t.title for t in db.scalars(select(Termin))] == ["Kreistreffen"]
    db.delete(circle)
    db.flush()
    assert db.scalars(select(Termin)).all() == []
