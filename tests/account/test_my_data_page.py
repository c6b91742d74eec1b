"""Mein Konto names the member's municipality; /konto/daten shows what is stored, not
only a download button."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.vorhaben import cooperation
from tests import factories


def test_my_account_names_my_municipality(client: TestClient, db: Session) -> None:
    town = factories.municipality(db, "Kontostadt, Stadt")
    me = factories.account(db, "Mia Meier", municipality=town)
    factories.login(client, db, me)
    page = client.get("/konto").text
    facts = page.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "<dt>Kommune</dt>" in facts
    assert f'<a href="/kommunen/{town.ags}">Kontostadt, Stadt</a>' in facts


def test_my_data_page_shows_what_is_stored(
    client: TestClient, db: Session, settings: Settings
) -> None:
    town = factories.municipality(db, "Kontostadt, Stadt")
    me = factories.account(db, "Mia Meier", email="mia@kontostadt.example", municipality=town)
    other = factories.account(db, "Otto Other")
    theirs = factories.vorhaben(db, other, "Ottos Vorhaben")
    factories.vorhaben(db, me, "Mein Vorhaben")
    factories.comment(db, me, theirs, "Erster Kommentar")
    factories.comment(db, me, theirs, "Zweiter Kommentar")
    cooperation.set_signal(db, settings, me, theirs.id, "reuse", on=True)
    factories.login(client, db, me)
    page = client.get("/konto/daten").text
    stored = page.split('id="gespeichert"')[1].split("</section>")[0]
    for shown in ("Mia Meier", "mia@kontostadt.example", "Kontostadt, Stadt"):
        assert shown in stored
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([\d.]+)</td>', stored))
    assert counts["Vorhaben, die Sie angelegt haben"] == "1"
    assert counts["Kommentare"] == "2"
    assert counts["Signale Ihrer Kommune, die Sie gesetzt haben"] == "1"
    assert counts["Vorhaben, denen Sie folgen"] == "2"  # own and commented


def test_an_applicant_sees_their_stored_data_too(client: TestClient, db: Session) -> None:
    applicant = factories.account(db, "Paula Peters", state=factories.AccountState.PENDING)
    factories.application(db, applicant)
    factories.login(client, db, applicant)
    page = client.get("/konto/daten")
    assert page.status_code == 200
    stored = page.text.split('id="gespeichert"')[1].split("</section>")[0]
    assert "Paula Peters" in stored and "Mitgliedsanträge" in stored
