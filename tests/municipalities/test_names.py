"""München (Landkreis) and München, Landeshauptstadt must not look alike in any list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.municipalities.models import Level, distinct_name
from app.vorhaben import cooperation
from tests import factories


def test_a_landkreis_named_like_a_city_says_what_it_is() -> None:
    assert distinct_name("München", Level.KREIS, 44) == "München (Landkreis)"
    assert distinct_name("Rostock", Level.KREIS, 41) == "Rostock (Kreisfreie Stadt)"
    # Names that already say it stay as they are.
    assert distinct_name("München, Landeshauptstadt", Level.GEMEINDE, 61) == (
        "München, Landeshauptstadt"
    )
    assert distinct_name("Rhein-Lahn-Kreis", Level.KREIS, 44) == "Rhein-Lahn-Kreis"
    assert distinct_name("Region Hannover", Level.KREIS, 44) == "Region Hannover"
    assert distinct_name("Aar-Einrich", Level.GEMEINDEVERBAND, 53) == (
        "Aar-Einrich (Verbandsgemeinde)"
    )
    assert distinct_name("Aschheim", Level.GEMEINDEVERBAND, 50) == "Aschheim"
    assert distinct_name("Aschheim", Level.GEMEINDE, 64) == "Aschheim"


def test_lists_tell_the_landkreis_from_the_city(
    client: TestClient, db: Session, settings: Settings
) -> None:
    bayern = factories.municipality(db, "Bayern", level=Level.LAND, kind_code=None)
    landkreis = factories.municipality(db, "München", level=Level.KREIS, land=bayern, kind_code=44)
    city = factories.municipality(
        db, "München, Landeshauptstadt", land=bayern, kreis=landkreis, kind_code=61
    )
    anna = factories.account(db, "Anna Berger", municipality=landkreis)
    max_ = factories.account(db, "Max Maier", municipality=city)
    mine = factories.vorhaben(db, max_, "Park+Ride-Belegung")
    theirs = factories.vorhaben(db, anna, "Schul-IT-Support")
    cooperation.set_signal(db, settings, anna, mine.id, "interested", on=True)
    factories.login(client, db, max_)

    listing = client.get("/vorhaben").text
    card = listing.split("Schul-IT-Support")[1].split("</article>")[0]
    assert "München (Landkreis)" in card
    dashboard = client.get("/").text
    signals = dashboard.split('id="signale"')[1].split("</section>")[0]
    assert "München (Landkreis)" in signals
    notifications = client.get("/benachrichtigungen").text
    assert "München (Landkreis)" in notifications
    detail = client.get(f"/vorhaben/{mine.id}").text
    cooperation_block = detail.split('id="cooperation"')[1].split("</section>")[0]
    assert "München (Landkreis)" in cooperation_block
    assert theirs.id
