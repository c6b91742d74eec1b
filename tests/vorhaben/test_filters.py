"""The list filters a member can use: AI, open source, a municipality chosen with the
picker (plain form and htmx), and a Kreis select that follows the Land."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.vorhaben import service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.repository import VorhabenFilter, consistent, list_vorhaben
from tests import factories

pytestmark = pytest.mark.commits

HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@dataclass
class Scene:
    nord: factories.Municipality
    sued: factories.Municipality
    kreis_nord: factories.Municipality
    kreis_sued: factories.Municipality
    town: factories.Municipality
    reader: factories.Account


@pytest.fixture
def scene(db: Session, settings: Settings) -> Scene:
    nord = factories.municipality(db, "Nordland", level=factories.Level.LAND, kind_code=None)
    sued = factories.municipality(db, "Südland", level=factories.Level.LAND, kind_code=None)
    kreis_nord = factories.municipality(
        db, "Kreis Nordheide", level=factories.Level.KREIS, land=nord, kind_code=44
    )
    kreis_sued = factories.municipality(
        db, "Kreis Südhang", level=factories.Level.KREIS, land=sued, kind_code=44
    )
    town = factories.municipality(db, "Filterhausen", land=nord, kreis=kreis_nord)
    other = factories.municipality(db, "Anderdorf", land=sued, kreis=kreis_sued)
    author = factories.account(db, municipality=town)
    elsewhere = factories.account(db, municipality=other)
    for who, title, ai, licence in (
        (author, "KI-Chatbot Bürgeramt", "weak_ai", ""),
        (author, "Offenes Ratsinfo", "none", "EUPL-1.2"),
        (elsewhere, "Regelwerk Wohngeld", "rule_based", "MIT"),
        (elsewhere, "Papierloses Amt", "none", ""),
    ):
        service.create(
            db,
            settings,
            who,
            VorhabenForm(title=title, uses_ai=ai, license=licence, open_source=bool(licence)),
        )
    return Scene(nord, sued, kreis_nord, kreis_sued, town, factories.account(db))


def _titles(db: Session, reader: factories.Account, **filters: str) -> set[str]:
    return {v.title for v in list_vorhaben(db, reader, VorhabenFilter(**filters)).items}


def test_ai_open_source_and_municipality_filters(db: Session, scene: Scene) -> None:
    every = _titles(db, scene.reader)
    assert len(every) == 4  # positive control: everything without a filter
    assert _titles(db, scene.reader, ai="weak_ai") == {"KI-Chatbot Bürgeramt"}
    assert _titles(db, scene.reader, ai="rule_based") == {"Regelwerk Wohngeld"}
    assert _titles(db, scene.reader, open_source="1") == {"Offenes Ratsinfo", "Regelwerk Wohngeld"}
    assert _titles(db, scene.reader, municipality=scene.town.ags) == {
        "KI-Chatbot Bürgeramt",
        "Offenes Ratsinfo",
    }
    assert _titles(db, scene.reader, municipality=scene.town.ags, open_source="1") == {
        "Offenes Ratsinfo"
    }


def test_the_filters_work_as_a_plain_form(client: TestClient, db: Session, scene: Scene) -> None:
    factories.login(client, db, scene.reader)
    page = client.get("/vorhaben?ai=weak_ai").text
    assert "KI-Chatbot" in page and "Regelwerk" not in page and "Ratsinfo" not in page
    page = client.get("/vorhaben?open_source=1").text
    assert "Ratsinfo" in page and "Regelwerk" in page and "KI-Chatbot" not in page
    # Searching a municipality offers it as a choice, without filtering yet ...
    found = client.get("/vorhaben?kommune=Filterhaus").text
    assert '<label for="field-kommune">' in found
    assert (
        f'id="municipality-{scene.town.ags}" name="municipality" value="{scene.town.ags}"' in found
    )
    assert "Papierloses Amt" in found
    # ... choosing it (and pressing "Anwenden") filters.
    chosen = client.get(f"/vorhaben?kommune=Filterhaus&municipality={scene.town.ags}").text
    assert "Ratsinfo" in chosen and "KI-Chatbot" in chosen and "Papierloses" not in chosen
    assert re.search(rf'value="{scene.town.ags}" checked', chosen)
    # Coming from a municipality page (no search text), the choice is shown and removable.
    linked = client.get(f"/vorhaben?municipality={scene.town.ags}").text
    assert re.search(rf'value="{scene.town.ags}" checked', linked)
    assert 'id="municipality-all" name="municipality" value=""' in linked
    nothing = client.get("/vorhaben?kommune=Gibtsnichtdorf").text
    assert "Keine Kommune gefunden" in nothing
    # A key pasted with spaces around it filters as the picker shows it (it showed the
    # municipality chosen and an empty list).
    pasted = client.get("/vorhaben", params={"municipality": f" {scene.town.ags} "}).text
    assert "Ratsinfo" in pasted and "KI-Chatbot" in pasted and "Papierloses" not in pasted
    assert re.search(rf'value="{scene.town.ags}" checked', pasted)


def test_htmx_results_bring_the_kreise_of_the_new_land(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.reader)
    nord = client.get(f"/vorhaben?land={scene.nord.id}", headers=HTMX_RESULTS)
    assert "<html" not in nord.text
    oob = re.search(r'<div id="kreis-filter" hx-swap-oob="true">(.*?)</div>', nord.text, re.S)
    assert oob is not None and "Kreis Nordheide" in oob.group(1)
    assert "Kreis Südhang" not in oob.group(1)
    assert "KI-Chatbot" in nord.text and "Papierloses" not in nord.text
    # The Land changes while the old Kreis is still selected: the Kreis is dropped.
    sued = client.get(
        f"/vorhaben?land={scene.sued.id}&kreis={scene.kreis_nord.id}", headers=HTMX_RESULTS
    )
    assert "Kreis Südhang" in sued.text and "Kreis Nordheide" not in sued.text
    assert "Papierloses" in sued.text and "KI-Chatbot" not in sued.text
    # Typing a municipality's name swaps just the candidates, keeping a choice made.
    picked = client.get(
        f"/vorhaben?kommune=Filterhaus&municipality={scene.town.ags}",
        headers={"HX-Request": "true", "HX-Target": "municipality-filter"},
    )
    assert picked.text.lstrip().startswith('<div id="municipality-filter" aria-live="polite">')
    assert f'value="{scene.town.ags}" checked' in picked.text
    assert "card" not in picked.text
    # The search page's results carry the same out-of-band parts.
    search = client.get(f"/suche?q=amt&land={scene.nord.id}", headers=HTMX_RESULTS)
    assert 'id="kreis-filter" hx-swap-oob="true"' in search.text
    assert "Kreis Nordheide" in search.text
    # A full page never carries out-of-band parts.
    assert "hx-swap-oob" not in client.get(f"/vorhaben?land={scene.nord.id}").text


def test_a_kreis_fits_its_land(db: Session, scene: Scene) -> None:
    nord, kreis_nord = str(scene.nord.id), str(scene.kreis_nord.id)
    assert consistent(db, VorhabenFilter(land=nord, kreis=kreis_nord)).kreis == kreis_nord
    assert consistent(db, VorhabenFilter(land=str(scene.sued.id), kreis=kreis_nord)).kreis == ""
    assert consistent(db, VorhabenFilter(kreis=kreis_nord)).land == nord
    assert consistent(db, VorhabenFilter(kreis=str(scene.town.id))).kreis == ""  # not a Kreis
    assert consistent(db, VorhabenFilter(kreis="kaputt")).kreis == ""
