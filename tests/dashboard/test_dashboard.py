"""The dashboard: new in my Land, in my fields, activity on what I follow, signals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import preferences
from app.config import Settings
from app.dashboard import service
from app.vorhaben import cooperation
from app.vorhaben.models import FieldOfAction
from tests import factories


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
    assert [comment.body for comment, _v in board.followed_activity] == ["Gute Idee"]
    assert [(signal.kind.value, v.id) for signal, v in board.signals] == [("doing_too", mine.id)]

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
