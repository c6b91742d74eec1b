"""The Vorhaben pages as a browser uses them: create (contract fields), edit, delete,
versions, follow and signals (htmx and plain)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.vorhaben.models import FieldOfAction, Signal, Vorhaben
from tests import factories

pytestmark = pytest.mark.commits


def _member(client: TestClient, db: Session) -> factories.Account:
    person = factories.account(db, "Frida Form")
    factories.login(client, db, person)
    return person


def test_create_with_the_contract_fields_answers_303(client: TestClient, db: Session) -> None:
    _member(client, db)
    fields = db.scalars(select(FieldOfAction.id).limit(2)).all()
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Digitale Schulanmeldung",
            "summary": "Kurz",
            "description": "## Ziel\nOnline.",
            "stage": "konzept",
            "fields_of_action": [str(field) for field in fields],
            "visibility": "municipality",
        },
    )
    assert response.status_code == 303
    vorhaben_id = int(response.headers["location"].rsplit("/", 1)[1])
    created = db.get(Vorhaben, vorhaben_id)
    assert created is not None and created.visibility.value == "municipality"
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert "Digitale Schulanmeldung" in page and "<h2>Ziel</h2>" in page


def test_a_failed_form_keeps_everything_and_links_the_errors(
    client: TestClient, db: Session
) -> None:
    _member(client, db)
    token = factories.csrf_token(client, "/vorhaben/new")
    typed = {
        "csrf_token": token,
        "title": "",
        "summary": "Bleibt <erhalten>",
        "description": "Lange Beschreibung\nmit Zeilen",
        "stage": "idee",
        "visibility": "everyone",
        "tags": "a, b",
        "repository_url": "nicht-url",
    }
    response = client.post("/vorhaben/new", data=typed)
    assert response.status_code == 422
    html = response.text
    for field in ("title", "visibility", "repository_url"):
        assert f'href="#field-{field}"' in html
    assert "Bleibt &lt;erhalten&gt;" in html
    assert "Lange Beschreibung\nmit Zeilen</textarea>" in html
    assert 'value="a, b"' in html and 'value="nicht-url"' in html


def test_partner_search_without_javascript_keeps_the_form(client: TestClient, db: Session) -> None:
    _member(client, db)
    factories.municipality(db, "Partnerhausen", ags="99900001")
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Mit Partner",
            "action": "partner_search",
            "partner_q": "Partnerhausen",
        },
    )
    assert response.status_code == 200
    assert 'value="99900001"' in response.text and 'value="Mit Partner"' in response.text
    assert db.scalars(select(Vorhaben)).all() == []


def test_a_partner_search_not_yet_run_is_run_instead_of_saving(
    client: TestClient, db: Session
) -> None:
    """Enter in the partner search field presses the default button (save); a search text
    whose results the form has not shown yet is a search, without JavaScript too."""
    _member(client, db)
    factories.municipality(db, "Partnerhausen", ags="99900001")
    token = factories.csrf_token(client, "/vorhaben/new")
    typed = {
        "csrf_token": token,
        "title": "Mit Partner",
        "stage": "idee",
        "action": "save",
        "partner_q": "Partnerhausen",
        "partner_q_shown": "",
    }
    searched = client.post("/vorhaben/new", data=typed)
    assert searched.status_code == 200
    assert 'value="99900001"' in searched.text and 'value="Mit Partner"' in searched.text
    assert "Treffer für „Partnerhausen“" in searched.text
    assert db.scalars(select(Vorhaben)).all() == []
    # Once the results were shown, the same text no longer stops the save.
    chosen = {**typed, "partner_q_shown": "Partnerhausen", "partner_municipalities": "99900001"}
    saved = client.post("/vorhaben/new", data=chosen)
    assert saved.status_code == 303
    created = db.scalars(select(Vorhaben)).one()
    assert created.title == "Mit Partner"


def test_the_form_starts_with_its_main_action_as_default_button(
    client: TestClient, db: Session
) -> None:
    member = _member(client, db)
    vorhaben = factories.vorhaben(db, member, "Erstfassung")
    for path, label in (
        ("/vorhaben/new", "Vorhaben anlegen"),
        (f"/vorhaben/{vorhaben.id}/bearbeiten", "Speichern"),
    ):
        html = client.get(path).text
        form = html[html.index('<form method="post" action="/vorhaben/') :]
        first = form[form.index("<button") : form.index("</button>")]
        assert 'name="action" value="save"' in first and label in first
        assert 'tabindex="-1"' in first and 'aria-hidden="true"' in first
        assert form.index(first) < form.index('value="partner_search"')


def test_edit_delete_and_versions(client: TestClient, db: Session) -> None:
    member = _member(client, db)
    vorhaben = factories.vorhaben(db, member, "Erstfassung")
    form_page = client.get(f"/vorhaben/{vorhaben.id}/bearbeiten")
    assert 'value="Erstfassung"' in form_page.text and 'name="version" value="1"' in form_page.text
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    saved = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data={
            "csrf_token": token,
            "title": "Zweitfassung",
            "stage": "konzept",
            "version": "1",
            "visibility": "members",
        },
    )
    assert saved.status_code == 303
    stale = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data={"csrf_token": token, "title": "Dritte", "stage": "konzept", "version": "1"},
    )
    assert stale.status_code == 409 and 'value="Dritte"' in stale.text
    diff = client.get(f"/vorhaben/{vorhaben.id}/versionen/2").text
    assert "<del>Erstfassung</del>" in diff and "<ins>Zweitfassung</ins>" in diff
    assert "<del>Idee</del>" in diff and "<ins>Konzept</ins>" in diff  # labels, not values
    assert client.get(f"/vorhaben/{vorhaben.id}/versionen/9").status_code == 404
    assert client.get(f"/vorhaben/{vorhaben.id}/loeschen").status_code == 200
    assert (
        client.post(f"/vorhaben/{vorhaben.id}/loeschen", data={"csrf_token": token}).status_code
        == 303
    )
    assert client.get(f"/vorhaben/{vorhaben.id}").status_code == 404


def test_others_cannot_edit_or_delete(client: TestClient, db: Session) -> None:
    vorhaben = factories.vorhaben(db, factories.account(db), "Fremd")
    _member(client, db)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    assert client.get(f"/vorhaben/{vorhaben.id}/bearbeiten").status_code == 403
    assert (
        client.post(
            f"/vorhaben/{vorhaben.id}/bearbeiten", data={"csrf_token": token, "title": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/vorhaben/{vorhaben.id}/loeschen", data={"csrf_token": token}).status_code
        == 403
    )


def test_signals_and_follow_by_htmx_and_plain_post(client: TestClient, db: Session) -> None:
    vorhaben = factories.vorhaben(db, factories.account(db), "Nachnutzbar")
    member = _member(client, db)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    plain = client.post(
        f"/vorhaben/{vorhaben.id}/signale", data={"csrf_token": token, "kind": "reuse"}
    )
    assert plain.status_code == 303
    fragment = client.post(
        f"/vorhaben/{vorhaben.id}/signale",
        data={"csrf_token": token, "kind": "interested"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    signals = db.scalars(select(Signal).where(Signal.vorhaben_id == vorhaben.id)).all()
    assert {signal.kind.value for signal in signals} == {"reuse", "interested"}
    assert {signal.municipality_id for signal in signals} == {member.municipality_id}
    bad = client.post(
        f"/vorhaben/{vorhaben.id}/signale", data={"csrf_token": token, "kind": "love"}
    )
    assert bad.status_code == 422
    followed = client.post(
        f"/vorhaben/{vorhaben.id}/folgen",
        data={"csrf_token": token, "action": "follow"},
        headers={"HX-Request": "true"},
    )
    assert "nicht mehr folgen" in followed.text


def test_each_signal_button_says_what_it_does(client: TestClient, db: Session) -> None:
    """All three read "Für meine Kommune setzen" (the kind only for screen readers)."""
    vorhaben = factories.vorhaben(db, factories.account(db), "Nachnutzbar")
    _member(client, db)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    buttons = re.findall(r'name="action" value="add"[^>]*>([^<]+)</button>', page)
    assert buttons == ["Interesse bekunden", "Melden: Wir machen das auch", "Nachnutzung anmelden"]
    assert "Für meine Kommune setzen" not in page
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    fragment = client.post(
        f"/vorhaben/{vorhaben.id}/signale",
        data={"csrf_token": token, "kind": "reuse"},
        headers={"HX-Request": "true"},
    ).text
    assert re.findall(r'value="remove"[^>]*>([^<]+)</button>', fragment) == [
        "Nachnutzung zurücknehmen"
    ]


def test_the_own_municipality_cannot_signal_itself(client: TestClient, db: Session) -> None:
    member = _member(client, db)
    vorhaben = factories.vorhaben(db, member, "Eigen")
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    response = client.post(
        f"/vorhaben/{vorhaben.id}/signale", data={"csrf_token": token, "kind": "reuse"}
    )
    assert response.status_code == 403


def test_list_page_and_htmx_results(client: TestClient, db: Session) -> None:
    factories.vorhaben(db, factories.account(db), "Listenvorhaben", stage="pilot")
    _member(client, db)
    page = client.get("/vorhaben?stage=pilot&sort=newest")
    assert "Listenvorhaben" in page.text and "<html" in page.text
    fragment = client.get(
        "/vorhaben?stage=idee", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in fragment.text and "Keine Vorhaben" in fragment.text
    assert client.get("/vorhaben?after=kaputt").status_code == 400
    assert client.get("/vorhaben?sort=zufall").status_code == 200


def test_english_readers_see_labels_and_errors_in_english(client: TestClient, db: Session) -> None:
    english = {"Accept-Language": "en"}
    member = _member(client, db)
    vorhaben = factories.vorhaben(db, member, "Zweisprachig", stage="pilot")
    detail = client.get(f"/vorhaben/{vorhaben.id}", headers=english).text
    assert "Pilot" in detail and "Created by" in detail and "We are interested" in detail
    form = client.get("/vorhaben/new", headers=english).text
    for label in ("Summary", "Visibility", "Funding programme", "All members", "No AI"):
        assert label in form, label
    assert "or later" in form and "Kurzbeschreibung" not in form
    token = factories.csrf_token(client, "/vorhaben/new")
    failed = client.post(
        "/vorhaben/new",
        data={"csrf_token": token, "title": "", "stage": "idee", "repository_url": "x"},
        headers=english,
    )
    assert failed.status_code == 422
    assert "Please enter a title." in failed.text and "https://" in failed.text
    assert "Bitte" not in failed.text
    other = factories.vorhaben(db, factories.account(db), "Fremd")
    refused = client.get(f"/vorhaben/{other.id}/bearbeiten", headers=english)
    assert refused.status_code == 403
    assert "Only members of the municipality that owns the project" in refused.text
