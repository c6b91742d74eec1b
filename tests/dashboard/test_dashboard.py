"""The dashboard: new in my Land, in my fields, activity on what I follow, signals."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.config import Settings
from app.dashboard import service
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import FieldOfAction
from tests import factories

pytestmark = pytest.mark.commits


def test_dashboard_sections(db: Session, settings: Settings, client: TestClient) -> None:
    land = factories.municipality(db, "Heimatland", level=factories.Level.LAND)
    home = factories.municipality(db, "Heimatstadt", land=land)
    neighbour = factories.municipality(db, "Nachbarort", land=land)
    me = factories.account(db, "Ich", municipality=home)
    other = factories.account(db, "Nachbarin", municipality=neighbour)
    far = factories.account(db, "Fern")
    in_land = factories.vorhaben(db, other, "Neu im Land")
    in_field = factories.vorhaben(db, far, "Abfallthema", fields=["abfall"])
    mine = factories.vorhaben(db, me, "Meins")
    factories.comment(db, other, mine, "Gute Idee")
    cooperation.set_signal(db, settings, other, mine.id, "doing_too", on=True)
    abfall = db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == "abfall")).one()
    preferences.save(db, me, "immediate", [str(abfall)])

    board = service.build(db, me)
    assert board.land_name == "Heimatland"
    assert {v.id for v in board.new_in_land} >= {in_land.id, mine.id}
    assert [v.id for v in board.in_my_fields] == [in_field.id]
    assert [(entry.kind, entry.vorhaben_id) for entry in board.followed_activity] == [
        ("signal", mine.id),
        ("comment", mine.id),
    ]
    assert [(entry.kind.value, entry.vorhaben_id) for entry in board.open_signals] == [
        ("doing_too", mine.id)
    ]

    factories.login(client, db, me)
    page = client.get("/").text
    assert "Neu in Heimatland" in page and "Abfallthema" in page
    assert "Machen wir auch" in page and "Nachbarort" in page


def test_municipality_and_profile_pages(client: TestClient, db: Session) -> None:
    town = factories.municipality(db, "Profilstadt")
    author = factories.account(db, "Petra Profil", municipality=town)
    factories.vorhaben(db, author, "Profilvorhaben")
    factories.login(client, db, factories.account(db))
    town_page = client.get(f"/kommunen/{town.ags}").text
    assert "Profilvorhaben" in town_page and "Petra Profil" in town_page
    profile = client.get(f"/mitglieder/{author.id}").text
    assert "Profilvorhaben" in profile and str(author.email) in profile
    assert client.get("/kommunen/00000000").status_code == 404
    assert client.get("/mitglieder/999999").status_code == 404


def _stage(db: Session, settings: Settings, who: factories.Account, vorhaben_id: int) -> None:

    form = vorhaben_service.form_from(vorhaben_service.get(db, who, vorhaben_id))
    form.stage = "konzept"
    vorhaben_service.update(db, settings, who, vorhaben_id, form)


def test_followed_activity_has_stage_changes_and_signals_of_others(
    db: Session, settings: Settings, client: TestClient
) -> None:
    me = factories.account(db, "Fiona Follower")
    owner = factories.account(db, "Olaf Owner")
    third = factories.account(db, "Dritte", municipality=factories.municipality(db, "Drittstadt"))
    followed = factories.vorhaben(db, owner, "Gefolgtes Vorhaben")
    unfollowed = factories.vorhaben(db, owner, "Nicht gefolgt")
    cooperation.set_follow(db, me, followed.id, on=True)
    _stage(db, settings, owner, followed.id)
    _stage(db, settings, owner, unfollowed.id)
    cooperation.set_signal(db, settings, third, followed.id, "reuse", on=True)
    cooperation.set_signal(db, settings, me, followed.id, "interested", on=True)  # my own
    board = service.build(db, me)
    assert [(entry.kind, entry.who, entry.what) for entry in board.followed_activity] == [
        ("signal", "Drittstadt", "Möchten wir nachnutzen"),
        ("stage", "Olaf Owner", "Konzept"),
    ]
    assert {entry.vorhaben_id for entry in board.followed_activity} == {followed.id}
    factories.login(client, db, me)
    page = client.get("/").text
    assert "Olaf Owner setzt die Phase auf „Konzept“" in page
    assert "Signal von Drittstadt: Möchten wir nachnutzen" in page
    assert f'href="/vorhaben/{followed.id}#timeline-title"' in page
    assert "Nicht gefolgt" not in page


def test_open_signals_stay_until_the_owners_mark_them_seen(
    db: Session, settings: Settings, client: TestClient
) -> None:
    owner = factories.account(db, "Olga Owner")
    town = db.get(factories.Municipality, owner.municipality_id)
    colleague = factories.account(db, "Kai Kollege", municipality=town)
    partner = factories.account(db, "Paula", municipality=factories.municipality(db, "Partnerau"))
    vorhaben = factories.vorhaben(db, owner, "Gemeinsame Beschaffung")
    cooperation.set_signal(db, settings, partner, vorhaben.id, "doing_too", on=True)
    board = service.build(db, colleague)
    assert [entry.vorhaben_id for entry in board.open_signals] == [vorhaben.id]
    assert board.open_signal_count == 1
    signal_id = board.open_signals[0].signal_id

    factories.login(client, db, partner)  # the signalling municipality cannot close it
    token = factories.csrf_token(client, "/")
    refused = client.post(f"/signale/{signal_id}/gesehen", data={"csrf_token": token})
    assert refused.status_code == 403

    factories.login(client, db, colleague)
    token = factories.csrf_token(client, "/")
    page = client.get("/").text
    assert "Partnerau" in page and f'action="/signale/{signal_id}/gesehen"' in page
    seen = client.post(
        f"/signale/{signal_id}/gesehen", data={"csrf_token": token, "back": "dashboard"}
    )
    assert seen.status_code == 303 and seen.headers["location"] == "/#signale"
    assert "Keine offenen Signale anderer Kommunen." in client.get("/").text
    assert service.build(db, colleague).open_signal_count == 0
    detail = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Partnerau" in detail and "Wieder offen" in detail  # still listed on the Vorhaben

    reopened = client.post(
        f"/signale/{signal_id}/gesehen",
        data={"csrf_token": token, "action": "reopen"},
        headers={"HX-Request": "true"},
    )
    assert reopened.status_code == 200 and "<html" not in reopened.text
    assert "Als gesehen markieren" in reopened.text
    assert service.build(db, colleague).open_signal_count == 1
    assert client.post("/signale/999999/gesehen", data={"csrf_token": token}).status_code == 404


def test_signals_and_followed_activity_are_grouped_by_vorhaben(
    db: Session, settings: Settings, client: TestClient
) -> None:
    """The side column held long run-on lists repeating each title for every signal; the
    open signals, which ask for action, now lead the main column, one card per Vorhaben."""
    me = factories.account(db, "Ida Inhaberin")
    mine = factories.vorhaben(db, me, "Park+Ride-Belegung")
    others = [factories.account(db, f"Person {index}") for index in range(3)]
    for index, other in enumerate(others):
        kind = ("interested", "doing_too", "reuse")[index]
        cooperation.set_signal(db, settings, other, mine.id, kind, on=True)
        factories.comment(db, other, mine, f"Kommentar {index}")
    factories.login(client, db, me)
    page = client.get("/").text
    main_column, side_column = page.split('class="layout-2"')[1].split("<div>")[1:3]
    assert 'id="signale"' in main_column
    signals = main_column.split('id="signale"')[1].split("</section>")[0]
    assert signals.count(">Park+Ride-Belegung</a>") == 1  # and for screen readers per button
    assert signals.count("Als gesehen markieren") == 3
    followed = side_column.split('id="follow-title"')[1].split("</section>")[0]
    assert followed.count("Park+Ride-Belegung") == 1
    assert followed.count("Signal von") == 3
    assert followed.count("Kommentar von") == 3


def test_open_signals_beyond_the_list_are_counted(db: Session, settings: Settings) -> None:
    owner = factories.account(db, "Olga Owner")
    vorhaben = factories.vorhaben(db, owner, "Gemeinsame Beschaffung")
    for name in ("Partnerau", "Zweitdorf", "Drittstadt"):
        partner = factories.account(db, name, municipality=factories.municipality(db, name))
        cooperation.set_signal(db, settings, partner, vorhaben.id, "doing_too", on=True)
    board = service.build(db, owner, limit=1)  # lists two of them
    assert len(board.open_signals) == 2
    assert board.open_signal_count == 3
    assert service.build(db, owner).open_signal_count == 3
