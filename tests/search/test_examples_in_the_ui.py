"""The examples of issue 18's first paragraph, through the pages members use: the search page
finds short terms and abbreviations (KI, IT, 5G, EU), plurals (Schulen → Schule), umlaut
spellings (Muell → Müll), synonyms (OZG → Onlinezugangsgesetz), a compound's part; the similar
Vorhaben panel links Bürgerbeteiligung and Beteiligungsplattform both ways. The ranking itself
is guarded by the relevance set (test_relevance*.py); this proves the pages reach it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories

pytestmark = pytest.mark.commits

TITLES = {
    "KI": "KI-Assistent im Bürgerbüro",
    "IT": "IT-Sicherheit der Schulverwaltung",
    "5G": "5G-Campus am Hafen",
    "EU": "EU-Förderung für Glasfaser",
    "Schulen": "Tablets für jede Schule",
    "Muell": "Müllabfuhr per App melden",
    "OZG": "Onlinezugangsgesetz in der Kreisverwaltung",
    "Verkehr": "Verkehrszählung mit Sensoren",
}


@pytest.fixture
def scene(client: TestClient, db: Session) -> dict[str, int]:
    author = factories.account(db, "Anja Autorin")
    ids = {q: factories.vorhaben(db, author, title).id for q, title in TITLES.items()}
    ids["beteiligung"] = factories.vorhaben(
        db, author, "Bürgerbeteiligung für den Haushalt", summary="Online mitreden"
    ).id
    ids["plattform"] = factories.vorhaben(
        db, author, "Beteiligungsplattform der Stadt", summary="Eine Plattform zum Mitreden"
    ).id
    factories.login(client, db, factories.account(db, "Lea Leserin"))
    return ids


@pytest.mark.parametrize("q", list(TITLES))
def test_the_search_page_finds_what_people_type(
    client: TestClient, scene: dict[str, int], q: str
) -> None:
    page = client.get("/suche", params={"q": q})
    assert page.status_code == 200
    found = [int(key) for key in re.findall(r'href="/vorhaben/(\d+)"', page.text)]
    assert found and found[0] == scene[q], (q, found)


def test_similar_vorhaben_link_participation_both_ways(
    client: TestClient, scene: dict[str, int]
) -> None:
    for one, other in (("beteiligung", "plattform"), ("plattform", "beteiligung")):
        panel = client.get(f"/vorhaben/{scene[one]}/aehnlich")
        assert panel.status_code == 200
        assert f'href="/vorhaben/{scene[other]}"' in panel.text, one
