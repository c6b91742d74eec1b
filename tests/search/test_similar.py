"""Similar Vorhaben on the German analyzer: shared stems, compound parts and synonyms over
title, tags, summary and description; fields of action and stage; the municipality as a
tie-break; visibility; words that say nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.search import similar as module
from app.search.models import VorhabenTerm
from app.search.similar import similar, similar_to, stored_terms
from app.vorhaben import service
from app.vorhaben.models import FieldOfAction
from app.vorhaben.repository import Card
from tests import factories


def _ids(found: Sequence[Card]) -> list[int]:
    return [vorhaben.id for vorhaben in found]


def test_stored_terms_are_the_analyzers_tokens_weighted_by_field() -> None:
    terms = stored_terms(
        title="Die neue App für die Müllabfuhr der Stadt 2026",
        summary="Termine auf dem Smartphone",
        tags=["Abfall-Kalender"],
        description="Erinnerungen an die Müllabfuhr und Tonnen",
    )
    # Stemmed, folded, compound parts (the head counts as much as the word, other parts
    # half); stopwords, numbers and words of the domain gone; title 6, tags and summary 4,
    # description 2.
    assert terms == {
        "app": 6,
        "mullabfuhr": 6,
        "mull": 3,
        "abfuhr": 6,
        "abfallkal": 4,
        "abfall": 2,
        "kalend": 4,
        "termin": 4,
        "smartphon": 4,
        "erinner": 2,
        "tonn": 2,
    }


def test_the_terms_follow_every_change(db: Session, settings: Settings) -> None:
    author = factories.account(db, "Sina Suche")
    vorhaben = factories.vorhaben(
        db, author, "Radwegeplanung", tags="Mobilität", description="Mit Zählstellen"
    )

    def stored() -> dict[str, int]:
        rows = db.execute(
            select(VorhabenTerm.term, VorhabenTerm.weight).where(
                VorhabenTerm.vorhaben_id == vorhaben.id
            )
        )
        return {str(term): int(weight) for term, weight in rows}

    assert stored() == {
        "radwegeplan": 6,
        "rad": 3,
        "weg": 3,
        "planung": 6,
        "mobilitat": 4,
        "zahlstell": 2,
    }
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.title = "Fahrradstraßen-Netz"
    form.tags = ""
    form.description = ""
    service.update(db, settings, author, vorhaben.id, form)
    assert set(stored()) == {"fahrradstrassennetz", "fahrradstrass", "fahrrad", "strass", "netz"}


def test_compound_parts_make_buergerbeteiligung_and_beteiligungsplattform_similar(
    db: Session,
) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    platform = factories.vorhaben(db, author, "Beteiligungsplattform für alle Ortsteile")
    factories.vorhaben(db, author, "Schlaglochmelder", summary="Schäden an Straßen melden")
    konto = factories.vorhaben(db, author, "Bürgerkonto", summary="Ein Konto für Anträge")
    # The head "Beteiligung" says more than the "Bürger" both others begin with.
    assert _ids(similar(db, reader, "Bürgerbeteiligung")) == [platform.id, konto.id]
    own = factories.vorhaben(db, author, "Bürgerbeteiligung online")
    assert _ids(similar_to(db, reader, own.id))[0] == platform.id
    # And the other way round, also for plural and umlaut spellings.
    assert _ids(similar(db, reader, "Beteiligungsplattformen", exclude_id=platform.id)) == [own.id]
    assert own.id in _ids(similar(db, reader, "Buergerbeteiligung"))


def test_synonyms_of_the_text_looked_up_count(db: Session) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    law = factories.vorhaben(db, author, "Onlinezugangsgesetz im Landkreis umsetzen")
    factories.vorhaben(db, author, "Radwegeplanung")
    assert _ids(similar(db, reader, "OZG-Leistungen")) == [law.id]


def test_the_description_counts_but_less_than_the_title(db: Session) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    described = factories.vorhaben(
        db, author, "Neues Angebot im Rathaus", description="Eine Videosprechstunde für alle."
    )
    titled = factories.vorhaben(db, author, "Videosprechstunde im Bürgerbüro")
    factories.vorhaben(db, author, "Radwegeplanung", description="Zählstellen an Radwegen")
    # Found by the description alone, ranked below the title match (which is older: the
    # order is the weights', not the ids').
    assert _ids(similar(db, reader, "Videosprechstunde")) == [titled.id, described.id]
    titled_later = factories.vorhaben(db, author, "Videosprechstunde")
    assert _ids(similar(db, reader, "Videosprechstunde"))[-1] == described.id
    assert titled_later.id in _ids(similar(db, reader, "Videosprechstunde"))


def test_shared_fields_of_action_and_stage_rank_higher(db: Session) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    waste = factories.vorhaben(db, author, "Sensoren melden volle Container", fields=["abfall"])
    factories.vorhaben(
        db, author, "Sensoren melden volle Container", fields=["infrastruktur-smart-city"]
    )
    # Equal words: the newer one would come first; sharing the field of action wins.
    found = similar(db, reader, "Volle Container per Sensoren", field_ids=_field_ids(db, "abfall"))
    assert _ids(found)[0] == waste.id
    pilot = factories.vorhaben(db, author, "Sensoren für Glascontainer", stage="pilot")
    factories.vorhaben(db, author, "Sensoren für Glascontainer", stage="idee")
    assert _ids(similar(db, reader, "Glascontainer Sensoren", stage="pilot"))[0] == pilot.id


def _field_ids(db: Session, *slugs: str) -> list[int]:
    return list(db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug.in_(slugs))))


def test_the_panel_of_a_page_uses_the_vorhabens_fields_of_action(db: Session) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    subject = factories.vorhaben(db, author, "Digitale Schulanmeldung", fields=["bildung"])
    school = factories.vorhaben(db, author, "Schulanmeldung per App", fields=["bildung"])
    factories.vorhaben(db, author, "Schulanmeldung per App", fields=["soziales"])
    assert _ids(similar_to(db, reader, subject.id))[0] == school.id


def test_a_municipality_in_the_same_land_breaks_a_tie(db: Session) -> None:
    land = factories.municipality(db, "Nordland", level=factories.Level.LAND, kind_code=None)
    home = factories.municipality(db, "Heimstadt", land=land, population=20_000)
    near = factories.municipality(db, "Nachbarstadt", land=land, population=900_000)
    far = factories.municipality(db, "Fernstadt", population=900_000)
    reader = factories.account(db, "Rita Reader", municipality=home)
    same_land = factories.vorhaben(
        db, factories.account(db, "Nora", municipality=near), "Baumkataster"
    )
    # The newer one would come first on equal scores.
    other_land = factories.vorhaben(
        db, factories.account(db, "Fritz", municipality=far), "Baumkataster"
    )
    assert _ids(similar(db, reader, "Baumkataster")) == [same_land.id, other_land.id]
    # Similar size counts too: a town of the reader's size in another Land.
    peer = factories.municipality(db, "Gleichstadt", population=25_000)
    sized = factories.vorhaben(db, factories.account(db, "Paul", municipality=peer), "Baumkataster")
    assert _ids(similar(db, reader, "Baumkataster"))[-1] == other_land.id
    assert set(_ids(similar(db, reader, "Baumkataster"))[:2]) == {same_land.id, sized.id}


def test_only_what_the_reader_may_see(db: Session) -> None:
    author = factories.account(db, "Olga Owner")
    stranger = factories.account(db, "Rita Reader")
    home = db.get(factories.Municipality, author.municipality_id)
    colleague = factories.account(db, "Carl Colleague", municipality=home)
    internal = factories.vorhaben(db, author, "Zeiterfassung im Bauhof", visibility="municipality")
    shared = factories.vorhaben(db, author, "Zeiterfassung für Schulen")
    assert _ids(similar(db, stranger, "Zeiterfassung")) == [shared.id]
    assert set(_ids(similar(db, colleague, "Zeiterfassung"))) == {internal.id, shared.id}


def test_words_everyone_uses_say_nothing(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "COMMON", 2)
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    for number in range(3):
        factories.vorhaben(db, author, f"Verwaltungsportal Nummer{number}")
    rare = factories.vorhaben(db, author, "Bürgerkonto", summary="Verwaltungsportal")
    other = factories.vorhaben(db, author, "Bürgerkonto für Vereine")
    assert _ids(similar(db, reader, "Verwaltungsportal")) == []  # four use it: too common
    assert _ids(similar(db, reader, "Bürgerkonto im Verwaltungsportal", exclude_id=rare.id)) == [
        other.id
    ]
    assert similar(db, reader, "und der die mit") == ()


def test_the_forms_lookup_takes_fields_of_action_stage_and_tags(
    client: TestClient, db: Session
) -> None:
    author = factories.account(db, "Sina Suche")
    waste = factories.vorhaben(db, author, "Sensoren melden volle Container", fields=["abfall"])
    city = factories.vorhaben(
        db, author, "Sensoren melden volle Container", fields=["infrastruktur-smart-city"]
    )
    factories.login(client, db, factories.account(db, "Rita Reader"))
    params: dict[str, str | list[str]] = {"title": "Volle Container", "stage": "idee"}
    page = client.get("/vorhaben/aehnlich", params=params)
    assert page.status_code == 200
    assert page.text.index(f"/vorhaben/{city.id}") < page.text.index(f"/vorhaben/{waste.id}")
    params["fields_of_action"] = [str(i) for i in _field_ids(db, "abfall")] + ["x", "-1"]
    page = client.get("/vorhaben/aehnlich", params=params)
    assert page.status_code == 200
    assert page.text.index(f"/vorhaben/{waste.id}") < page.text.index(f"/vorhaben/{city.id}")
    # Tags alone find what their words say.
    page = client.get("/vorhaben/aehnlich", params={"tags": "Container, Sensorik"})
    assert f"/vorhaben/{waste.id}" in page.text


@pytest.mark.parametrize(
    "exclude", ["2147483648", "9223372036854775808", "-9223372036854775809", "x"]
)
def test_the_forms_lookup_ignores_an_exclusion_that_is_no_id(
    client: TestClient, db: Session, exclude: str
) -> None:
    # The edit form sends its Vorhaben's id; anything else a client sends is no id (it
    # overflowed PostgreSQL's integer and SQLite's 64 bits: a 500).
    found = factories.vorhaben(db, factories.account(db, "Sina Suche"), "Baumkataster digital")
    factories.login(client, db, factories.account(db, "Rita Reader"))
    page = client.get("/vorhaben/aehnlich", params={"title": "Baumkataster", "exclude": exclude})
    assert page.status_code == 200
    assert f"/vorhaben/{found.id}" in page.text
