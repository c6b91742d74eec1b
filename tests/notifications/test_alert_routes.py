"""The alerts page and the "Folgen" forms: without JavaScript (POST, redirect back) and
with htmx (the form swapped), behind CSRF, and no 500 for any input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.municipalities.models import Level
from app.notifications import alerts
from app.notifications.models import Alert, AlertKind
from app.vorhaben.models import FieldOfAction
from tests import factories

pytestmark = pytest.mark.commits

PAGE = "/benachrichtigungen/themen"


def _followed(db: Session, member: factories.Account) -> set[tuple[AlertKind, str]]:
    db.expire_all()
    return {
        (row.kind, row.key)
        for row in db.scalars(select(Alert).where(Alert.account_id == member.id))
    }


def test_follow_a_municipality_from_its_page_and_remove_it_on_the_alerts_page(
    client: TestClient, db: Session
) -> None:
    land = factories.municipality(db, "Folgeland", level=Level.LAND, kind_code=None)
    kreis = factories.municipality(db, "Landkreis Folge", level=Level.KREIS, land=land)
    town = factories.municipality(db, "Folgestadt", land=land, kreis=kreis)
    member = factories.account(db, "Mia Mitglied")
    factories.login(client, db, member)
    page = client.get(f"/kommunen/{town.ags}").text
    assert 'name="kind" value="municipality"' in page and f'name="key" value="{town.id}"' in page
    kreis_page = client.get(f"/kommunen/{kreis.ags}").text
    assert 'name="kind" value="kreis"' in kreis_page
    token = factories.csrf_token(client, f"/kommunen/{town.ags}")
    response = client.post(
        PAGE,
        data={
            "csrf_token": token,
            "kind": "municipality",
            "key": str(town.id),
            "next": f"/kommunen/{town.ags}",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == f"/kommunen/{town.ags}"
    assert _followed(db, member) == {(AlertKind.MUNICIPALITY, str(town.id))}
    listed = client.get(PAGE).text
    assert "Folgestadt" in listed and "Nicht mehr folgen" in listed
    removed = client.post(
        PAGE + "/entfernen",
        data={"csrf_token": token, "kind": "municipality", "key": str(town.id)},
    )
    assert removed.status_code == 303 and removed.headers["location"] == PAGE
    assert _followed(db, member) == set()
    assert "Sie folgen noch keinem Thema" in client.get(PAGE).text


def test_follow_a_field_and_a_tag_on_the_alerts_page(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    field = db.scalars(select(FieldOfAction).where(FieldOfAction.slug == "abfall")).one()
    token = factories.csrf_token(client, PAGE)
    for kind, key in (("field", str(field.id)), ("tag", "#Künstliche Intelligenz")):
        response = client.post(PAGE, data={"csrf_token": token, "kind": kind, "key": key})
        assert response.status_code == 303 and response.headers["location"] == PAGE
    assert _followed(db, member) == {
        (AlertKind.FIELD, str(field.id)),
        (AlertKind.TAG, "kunstliche intelligenz"),
    }
    page = client.get(PAGE).text
    assert field.label in page and "#kunstliche intelligenz" in page


def test_the_list_filter_offers_to_follow_the_chosen_field_with_htmx(
    client: TestClient, db: Session
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    listed = client.get("/vorhaben?field=abfall").text
    assert 'name="kind" value="field"' in listed and 'name="key" value="abfall"' in listed
    assert 'name="kind" value="field"' not in client.get("/vorhaben").text
    token = factories.csrf_token(client, "/vorhaben")
    swapped = client.post(
        PAGE,
        data={"csrf_token": token, "kind": "field", "key": "abfall", "next": "/vorhaben"},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200
    assert "Nicht mehr folgen" in swapped.text and "<html" not in swapped.text
    [(kind, key)] = _followed(db, member)
    assert kind is AlertKind.FIELD
    back = client.post(
        PAGE + "/entfernen",
        data={"csrf_token": token, "kind": "field", "key": key},
        headers={"HX-Request": "true"},
    )
    assert back.status_code == 200 and 'action="/benachrichtigungen/themen"' in back.text
    assert _followed(db, member) == set()


def test_state_changes_need_the_csrf_token(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    for path in (PAGE, PAGE + "/entfernen"):
        response = client.post(path, data={"kind": "tag", "key": "open data"})
        assert response.status_code == 403
    assert _followed(db, member) == set()


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("circle", "1"),
        ("land", "999999999999"),
        ("field", "x" * 200),
        ("kreis", "-1"),
        ("tag", "   "),
        ("municipality", "١٢"),  # digits, but not ASCII ones
    ],
)
def test_nothing_to_follow_is_a_404_not_a_500(
    client: TestClient, db: Session, kind: str, key: str
) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    token = factories.csrf_token(client, PAGE)
    response = client.post(PAGE, data={"csrf_token": token, "kind": kind, "key": key})
    assert response.status_code == 404
    assert _followed(db, member) == set()


def test_the_way_back_is_only_ever_a_local_path(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    factories.login(client, db, member)
    token = factories.csrf_token(client, PAGE)
    response = client.post(
        PAGE, data={"csrf_token": token, "kind": "tag", "key": "gis", "next": "//evil.example"}
    )
    assert response.status_code == 303 and response.headers["location"] == PAGE


def test_the_account_page_leads_to_the_alerts(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    alerts.follow(db, member, AlertKind.TAG, "gis")
    factories.login(client, db, member)
    assert f'href="{PAGE}"' in client.get("/konto").text
    assert f'href="{PAGE}"' in client.get("/benachrichtigungen").text


def test_follow_a_tag_from_a_vorhaben_page(client: TestClient, db: Session) -> None:
    owner = factories.account(db, "Olga")
    vorhaben = factories.vorhaben(db, owner, "Geodaten", tags="GIS, Open Data")
    member = factories.account(db)
    factories.login(client, db, member)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert 'name="kind" value="tag"' in page and 'name="key" value="Open Data"' in page
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    response = client.post(
        PAGE,
        data={
            "csrf_token": token,
            "kind": "tag",
            "key": "Open Data",
            "next": f"/vorhaben/{vorhaben.id}",
        },
    )
    assert response.headers["location"] == f"/vorhaben/{vorhaben.id}"
    assert _followed(db, member) == {(AlertKind.TAG, "open data")}
    # The next Vorhaben with that tag, from anyone, reaches the member.
    factories.vorhaben(db, factories.account(db), "Offene Daten", tags="open data")
    assert "Neues Vorhaben in einem Thema, dem Sie folgen: „Offene Daten“." in (
        client.get("/benachrichtigungen").text
    )
