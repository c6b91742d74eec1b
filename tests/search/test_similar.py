"""Similar Vorhaben: shared telling words and tags, visibility, words that say nothing."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.search import similar as module
from app.search.models import VorhabenTerm
from app.search.similar import similar, terms_of
from app.vorhaben import service
from app.vorhaben.repository import Card
from tests import factories


def test_terms_are_folded_significant_words_and_tags() -> None:
    terms = terms_of("Die neue App für die Müllabfuhr der Stadt 2026", ["Abfall-Kalender"])
    assert terms == ["abfall-kalender", "mullabfuhr"]


def _ids(found: Sequence[Card]) -> list[int]:
    return [vorhaben.id for vorhaben in found]


def test_the_words_follow_every_change(db: Session, settings: Settings) -> None:
    author = factories.account(db, "Sina Suche")
    vorhaben = factories.vorhaben(db, author, "Radwegeplanung", tags="mobilitat")

    def stored() -> set[str]:
        return set(
            db.scalars(select(VorhabenTerm.term).where(VorhabenTerm.vorhaben_id == vorhaben.id))
        )

    assert stored() == {"radwegeplanung", "mobilitat"}
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.title = "Fahrradstraßen-Netz"
    form.tags = ""
    service.update(db, settings, author, vorhaben.id, form)
    assert stored() == {"fahrradstrassen", "netz"}


def test_the_best_match_shares_the_rarest_words(db: Session) -> None:
    author = factories.account(db, "Sina Suche")
    reader = factories.account(db, "Rita Reader")
    waste = factories.vorhaben(db, author, "Müllabfuhr-Kalender als App", tags="abfall")
    calendar = factories.vorhaben(db, author, "Veranstaltungskalender der Bibliothek")
    factories.vorhaben(db, author, "Schlaglochmelder", summary="Schäden an Straßen melden")
    same = factories.vorhaben(db, author, "Abfuhrtermine", summary="Müllabfuhr", tags="abfall")

    found = similar(db, reader, "Müllabfuhr-Kalender als App", tags=["abfall"], exclude_id=waste.id)
    assert _ids(found) == [same.id]
    # Typing a new idea: the existing one comes first, nothing unrelated at all.
    found = similar(db, reader, "Müllabfuhr per App", tags=[])
    assert set(_ids(found)) == {waste.id, same.id}
    assert calendar.id not in _ids(similar(db, reader, "Müllabfuhr"))
    assert similar(db, reader, "und der die mit") == ()


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
