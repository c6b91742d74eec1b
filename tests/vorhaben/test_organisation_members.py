"""A Vorhaben of an organisation: "own municipality" means the own organisation, so a
restricted one reaches colleagues only; cards and pages name the organisation."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.municipalities.models import OrganisationType
from app.vorhaben.models import Vorhaben
from tests import factories

pytestmark = pytest.mark.commits


def _text(client: TestClient, path: str, **params: str) -> str:
    """A page's text without tags (search results highlight inside words)."""
    return re.sub(r"<[^>]+>", "", client.get(path, params=params).text)


def test_own_organisation_only_is_seen_by_colleagues_alone(client: TestClient, db: Session) -> None:
    kgst = factories.organisation(db, "KGSt")
    wien = factories.organisation(db, "Wien", kind=OrganisationType.KOMMUNE_AUSLAND, country="AT")
    author = factories.account(db, "Anna Autorin", municipality=kgst)
    colleague = factories.account(db, "Kai Kollege", municipality=kgst)
    outsiders = [
        factories.account(db, "Wanda Wien", municipality=wien),
        factories.account(db, "Dora Deutsch"),  # a member of a German Gemeinde
    ]
    factories.login(client, db, author)
    token = factories.csrf_token(client, "/vorhaben/new")
    created = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Leitfaden Datenstrategie",
            "summary": "Entwurf der Arbeitsgruppe",
            "stage": "konzept",
            "visibility": "municipality",
        },
    )
    assert created.status_code == 303
    url = created.headers["location"]
    secret = db.get(Vorhaben, int(url.rsplit("/", 1)[1]))
    assert secret is not None and secret.municipality_id == kgst.id
    open_one = factories.vorhaben(db, author, "Offener Austausch Open Data")

    factories.login(client, db, colleague)
    assert client.get(url).status_code == 200
    listing = client.get("/vorhaben").text
    assert "Leitfaden Datenstrategie" in listing and "KGSt (Verband)" in listing
    assert "Leitfaden Datenstrategie" in client.get(f"/kommunen/{kgst.ags}").text
    assert "Leitfaden Datenstrategie" in _text(client, "/suche", q="Leitfaden")

    for outsider in outsiders:
        factories.login(client, db, outsider)
        assert client.get(url).status_code == 404, outsider.display_name
        listing = client.get("/vorhaben").text
        assert "Leitfaden Datenstrategie" not in listing
        assert "Offener Austausch Open Data" in listing  # the positive control
        assert "KGSt (Verband)" in listing
        municipality_page = client.get(f"/kommunen/{kgst.ags}").text
        assert "Leitfaden Datenstrategie" not in municipality_page
        assert "Offener Austausch Open Data" in municipality_page
        assert "Leitfaden Datenstrategie" not in _text(client, "/suche", q="Leitfaden")
        assert "Offener Austausch" in _text(client, "/suche", q="Austausch")
        detail = client.get(f"/vorhaben/{open_one.id}").text
        assert "KGSt (Verband)" in detail


def test_the_list_filters_by_organisation_and_partners_stay_registry_municipalities(
    client: TestClient, db: Session
) -> None:
    kgst = factories.organisation(db, "KGSt")
    author = factories.account(db, "Anna Autorin", municipality=kgst)
    factories.vorhaben(db, author, "Kommunales Datenmanagement")
    other = factories.account(db, "Otto Ort")
    factories.vorhaben(db, other, "Digitale Bürgerdienste")
    factories.municipality(db, "KGSt-Stadt")  # a registry entry of a similar name
    factories.login(client, db, other)
    filtered = _text(client, "/vorhaben", municipality=kgst.ags)
    assert "Kommunales Datenmanagement" in filtered
    assert "Digitale Bürgerdienste" not in filtered
    picker = client.get("/vorhaben", params={"kommune": "KGSt"}).text
    assert f'value="{kgst.ags}"' in picker and "Verband, Deutschland" in picker
    token = factories.csrf_token(client, "/vorhaben/new")
    searched = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Gemeinsam",
            "stage": "idee",
            "partner_q": "KGSt",
            "action": "partner_search",
        },
    )
    assert searched.status_code == 200
    assert "KGSt-Stadt" in searched.text
    assert f'value="{kgst.ags}"' not in searched.text
    refused = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Gemeinsam",
            "stage": "idee",
            "partner_municipalities": kgst.ags,
        },
    )
    assert refused.status_code == 422
    assert "Bitte wählen Sie Kommunen aus dem Verzeichnis." in refused.text


def test_an_organisations_members_read_organisation_for_the_own_choice(
    client: TestClient, db: Session
) -> None:
    kgst = factories.organisation(db, "KGSt")
    author = factories.account(db, "Anna Autorin", municipality=kgst)
    gemeinde = factories.account(db, "Dora Deutsch")
    factories.login(client, db, author)
    form = _text(client, "/vorhaben/new")
    assert "Nur meine Organisation" in form and "Nur meine Kommune" not in form
    assert "Meine Organisation und die Partnerkommunen" in form
    restricted = factories.vorhaben(db, author, "Leitfaden intern", visibility="municipality")
    edit = _text(client, f"/vorhaben/{restricted.id}/bearbeiten")
    assert "Nur meine Organisation" in edit
    listing = _text(client, "/vorhaben")
    assert "Nur eigene Organisation" in listing and "Nur eigene Kommune" not in listing
    factories.login(client, db, gemeinde)
    form = _text(client, "/vorhaben/new")
    assert "Nur meine Kommune" in form and "Nur meine Organisation" not in form
    assert "Meine Kommune und die Partnerkommunen" in form
    own = factories.vorhaben(db, gemeinde, "Bauhof intern", visibility="municipality")
    assert own.id and "Nur eigene Kommune" in _text(client, "/vorhaben")
