"""What search and similar Vorhaben show a reader cannot depend on text the reader may not see.

Two (or more) worlds that differ only in a municipality-only Vorhaben of another municipality,
whose text holds a probe word or not, must look the same to the reader: the same hits in the
same order, the same counts, the same excerpts, the same suggestions. Ranking statistics counted
over restricted text would let a reader learn a word of another municipality's internal
Vorhaben by watching the order change (issue 15, item 3). These tests look only at what the
pages show, so they also hold for any later search engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.search import similar
from tests import factories

# What the restricted Vorhaben of another municipality says in each world. The probes are
# words the reader's own queries use ("Nistkasten" for similar, "Pegel" for search).
WORLDS: dict[str, tuple[str, str, str] | None] = {
    "absent": None,
    "neutral": ("Futterhaus im Bauhof", "Holz und Schrauben", ""),
    "probe in title": ("Nistkasten mit Pegel", "Holz und Schrauben", ""),
    "probe in text": (
        "Futterhaus im Bauhof",
        "Nistkasten und Pegel",
        "Pegel Pegel Pegel am Nistkasten, dazu ein Pegelsensor.",
    ),
    "probe in comment": ("Futterhaus im Bauhof", "Holz und Schrauben", "comment"),
    "other term": ("Sensornetz im Bauhof", "Vogelzählung", "Sensor Sensor Sensor"),
}

_TOKENS = re.compile(r'((?:name="csrf_token" value|name="csrf-token" content)=")[^"]*(")')


def _normalized(html: str) -> str:
    # The CSRF token is per request; everything else must not differ.
    return _TOKENS.sub(r"\1…\2", html)


@pytest.fixture
def stage(client: TestClient, db: Session) -> dict[str, object]:
    """The reader, the visible Vorhaben, and another municipality with a member who writes."""
    publisher = factories.account(db, "Paula Public")
    for number in range(12):  # enough others that word statistics are not degenerate
        factories.vorhaben(db, publisher, f"Bürgerportal Baustein {number}")
    # Similar: typed "Vogelzählung Nistkasten", both share one word with it. Equal weights
    # put the newer one first; a word counted in more Vorhaben would weigh less.
    birds = factories.vorhaben(db, publisher, "Vogelzählung im Stadtpark")
    boxes = factories.vorhaben(db, publisher, "Nistkasten für Schulen")
    query_vorhaben = factories.vorhaben(db, publisher, "Vogelzählung Nistkasten")
    # Search: "Pegel Sensor" matches both; which ranks first hangs on how the two words
    # are weighed against each other.
    gauges = factories.vorhaben(
        db, publisher, "Hochwasser", description="Pegel Pegel Pegel und ein Sensor."
    )
    sensors = factories.vorhaben(
        db, publisher, "Starkregen", description="Sensor Sensor Sensor und ein Pegel."
    )
    factories.comment(db, publisher, gauges, "Der Pegel steigt, der Sensor meldet es.")
    outsider = factories.account(db, "Otto Outsider")
    home = db.get(factories.Municipality, outsider.municipality_id)
    colleague = factories.account(db, "Cora Colleague", municipality=home)
    reader = factories.account(db, "Rita Reader")
    factories.login(client, db, reader)
    return {
        "reader": reader,
        "outsider": outsider,
        "colleague": colleague,
        "query_vorhaben": query_vorhaben.id,
        "ids": {birds.id, boxes.id, gauges.id, sensors.id},
    }


def _build(db: Session, outsider: factories.Account, world: str) -> None:
    text = WORLDS[world]
    if text is None:
        return
    title, summary, description = text
    restricted = factories.vorhaben(
        db,
        outsider,
        title,
        summary=summary,
        description="" if description == "comment" else description,
        visibility="municipality",
        tags="pegel" if world == "probe in title" else "",
    )
    if description == "comment":
        factories.comment(db, outsider, restricted, "Pegel und Nistkasten, Pegel und Nistkasten.")


def _in_each_world(
    db: Session, stage: dict[str, object], look: Callable[[], str]
) -> dict[str, str]:
    """What `look` returns in each world; each world is built and rolled back in turn."""
    outsider = stage["outsider"]
    assert isinstance(outsider, factories.Account)
    seen: dict[str, str] = {}
    for world in WORLDS:
        savepoint = db.begin_nested()
        try:
            _build(db, outsider, world)
            db.flush()
            seen[world] = look()
        finally:
            savepoint.rollback()
    return seen


def _assert_same(seen: dict[str, str]) -> None:
    baseline = seen["absent"]
    differing = [world for world, page in seen.items() if page != baseline]
    assert differing == [], f"the reader can tell these worlds apart: {differing}"


def test_search_results_do_not_depend_on_restricted_text(
    client: TestClient, db: Session, stage: dict[str, object]
) -> None:
    def look() -> str:
        page = client.get(
            "/suche",
            params={"q": "Pegel Sensor"},
            headers={"HX-Request": "true", "HX-Target": "results"},
        )
        assert page.status_code == 200
        return _normalized(page.text)

    seen = _in_each_world(db, stage, look)
    assert "2 Treffer" in seen["absent"]
    _assert_same(seen)
    # The same on the full page, and on every page of a multi-word query.
    full = _in_each_world(
        db, stage, lambda: _normalized(client.get("/suche", params={"q": "Pegel"}).text)
    )
    _assert_same(full)


def test_similar_suggestions_do_not_depend_on_restricted_text(
    client: TestClient, db: Session, stage: dict[str, object]
) -> None:
    def typed() -> str:
        page = client.get("/vorhaben/aehnlich", params={"title": "Vogelzählung Nistkasten"})
        assert page.status_code == 200
        return _normalized(page.text)

    seen = _in_each_world(db, stage, typed)
    assert "Vogelzählung im Stadtpark" in seen["absent"]
    assert "Nistkasten für Schulen" in seen["absent"]
    _assert_same(seen)
    # The panel on a Vorhaben's page.
    page = f"/vorhaben/{stage['query_vorhaben']}"
    _assert_same(_in_each_world(db, stage, lambda: _normalized(client.get(page).text)))


def test_the_worlds_do_differ_for_who_may_see_the_restricted_vorhaben(
    client: TestClient, db: Session, stage: dict[str, object]
) -> None:
    """The control: the colleague of the restricted Vorhaben's municipality finds it, so the
    worlds above really differ and the pages are computed in each."""
    colleague = stage["colleague"]
    assert isinstance(colleague, factories.Account)
    factories.login(client, db, colleague)
    seen = _in_each_world(
        db, stage, lambda: client.get("/suche", params={"q": "Nistkasten Pegel"}).text
    )
    found = "<mark>Nistkasten</mark> mit <mark>Pegel</mark>"
    assert found in seen["probe in title"]
    assert found not in seen["absent"]


def test_how_common_a_word_is_counts_only_what_the_reader_sees(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words used by more than COMMON Vorhaben say nothing; whether a word is that common
    must not change with another municipality's internal Vorhaben using it (also where the
    count is taken without checking each use)."""
    monkeypatch.setattr(similar, "COMMON", 3)
    publisher = factories.account(db, "Paula Public")
    for number in range(4):  # used by four: too common
        factories.vorhaben(db, publisher, f"Quartiersgarage Nummer{number}")
    for number in range(3):  # used by three: telling
        factories.vorhaben(db, publisher, f"Ladesäule Standort{number}")
    outsider = factories.account(db, "Otto Outsider")
    factories.login(client, db, factories.account(db, "Rita Reader"))
    seen: dict[str, str] = {}
    for word in ("", "Quartiersgarage", "Ladesäule", "Quartiersgarage Ladesäule"):
        savepoint = db.begin_nested()
        try:
            if word:
                factories.vorhaben(db, outsider, f"{word} intern", visibility="municipality")
                db.flush()
            page = client.get("/vorhaben/aehnlich", params={"title": "Quartiersgarage Ladesäule"})
            seen[word or "absent"] = _normalized(page.text)
        finally:
            savepoint.rollback()
    assert "Ladesäule Standort" in seen["absent"]
    assert "Quartiersgarage Nummer" not in seen["absent"]
    _assert_same(seen)
