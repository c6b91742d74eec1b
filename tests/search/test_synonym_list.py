"""The synonym list administrators edit (app.search.synonym_list): the shipped list applies
until one is saved; a saved list applies with the next search and the next lookup of similar
Vorhaben (no new index); wrong lines are named; every change is audited; resetting brings
the shipped list back."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.errors import ValidationFailed
from app.search import query, similar, synonym_list
from app.search.analyzer import DEFAULT_ANALYZER
from app.search.synonyms import DEFAULT_SYNONYMS, DEFAULT_TEXT, MAX_EXPRESSIONS
from app.vorhaben.repository import VorhabenFilter
from tests import factories


def _titles(db: Session, reader: factories.Account, text: str) -> list[str]:
    found = query.search(db, reader, text, VorhabenFilter())
    return [card.title for card in found.vorhaben]


def test_the_shipped_list_applies_until_one_is_saved(db: Session) -> None:
    assert synonym_list.stored_text(db) is None
    assert synonym_list.analyzer(db) is DEFAULT_ANALYZER
    shown = synonym_list.SHIPPED
    assert "OZG = Onlinezugangsgesetz" in shown
    assert synonym_list.problems(shown) == []
    assert len(DEFAULT_SYNONYMS.groups) == len(synonym_list.save(db, _admin(db), shown).groups)


def _admin(db: Session) -> factories.Account:
    return factories.account(db, "Ada Admin", role=factories.Role.ADMIN)


def test_a_saved_list_applies_with_the_next_search(db: Session) -> None:
    admin = _admin(db)
    author = factories.account(db, "Anja Autorin")
    factories.vorhaben(db, author, "Lichtwellenleiter für alle Schulen")
    factories.vorhaben(db, author, "Onlinezugangsgesetz umsetzen")
    reader = factories.account(db, "Lea Leserin")
    assert _titles(db, reader, "Glasfaser") == []
    assert _titles(db, reader, "OZG") == ["Onlinezugangsgesetz umsetzen"]  # shipped

    synonym_list.save(db, admin, DEFAULT_TEXT + "\nGlasfaser = Lichtwellenleiter\n")

    assert _titles(db, reader, "Glasfaser") == ["Lichtwellenleiter für alle Schulen"]
    assert _titles(db, reader, "OZG") == ["Onlinezugangsgesetz umsetzen"]  # still there
    synonym_list.save(db, admin, "Glasfaser = Kupfer\n")  # the edited list replaces it all
    assert _titles(db, reader, "Glasfaser") == []
    assert _titles(db, reader, "OZG") == []


def test_a_corrected_typo_has_the_saved_lists_synonyms(db: Session) -> None:
    author = factories.account(db, "Anja Autorin")
    factories.vorhaben(db, author, "Glasfaser im Dorf")
    factories.vorhaben(db, author, "Lichtwellenleiter für Schulen")
    reader = factories.account(db, "Lea Leserin")
    assert _titles(db, reader, "Glasfasr") == ["Glasfaser im Dorf"]  # corrected

    synonym_list.save(db, _admin(db), "Glasfaser = Lichtwellenleiter")

    assert set(_titles(db, reader, "Glasfasr")) == {
        "Glasfaser im Dorf",
        "Lichtwellenleiter für Schulen",
    }


def test_similar_vorhaben_use_the_saved_list(db: Session) -> None:
    admin = _admin(db)
    author = factories.account(db, "Anja Autorin")
    found = factories.vorhaben(db, author, "Lichtwellenleiter im Landkreis")
    reader = factories.account(db, "Lea Leserin")
    assert [card.id for card in similar.similar(db, reader, "Glasfaser")] == []

    synonym_list.save(db, admin, "Glasfaser = Lichtwellenleiter")

    assert [card.id for card in similar.similar(db, reader, "Glasfaser")] == [found.id]


def test_every_wrong_line_is_named(db: Session) -> None:
    text = "\n".join(
        [
            "# Kommentar",
            "OZG = Onlinezugangsgesetz",
            "nur ein Ausdruck",
            "KI = ki",
            "A = = B",
            " = ".join(f"W{number}" for number in range(MAX_EXPRESSIONS + 1)),
            "Lang = " + "x" * 81,
            "Steuer\u202ezeichen = Test",
            "NUL\x00 = Test",
            "Müll = Muell = Müllen",  # the same words to search
            "Onlinezugangsgesetz = Online-Dienste",  # already in line 2
            "und = oder",  # stopwords only
            "Glasfaser Kupfer Funk Satellit Richtfunk Kabel Mobilfunk = Netz",  # 7 words
            "Glasfaser = Lichtwellenleiter",
        ]
    )
    found = synonym_list.problems(text)
    assert [problem.split(":", 1)[0] for problem in found] == [
        f"Zeile {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13)
    ]
    # Line 14 ("Glasfaser = Lichtwellenleiter") is right: its words are in no other line.
    reasons = [problem.split(":", 1)[1] for problem in found]
    assert "mindestens zwei verschiedene Ausdrücke" in reasons[0]  # one expression
    assert "mindestens zwei verschiedene Ausdrücke" in reasons[1]  # KI = ki
    assert "mindestens zwei verschiedene Ausdrücke" in reasons[2]  # an empty one
    assert f"Höchstens {MAX_EXPRESSIONS} Ausdrücke" in reasons[3]
    assert "höchstens 80 Zeichen" in reasons[4]
    assert "Schreibrichtung" in reasons[5]  # the bidi override
    assert "Steuerzeichen" in reasons[6]  # NUL
    assert "Für die Suche sind diese Ausdrücke gleich" in reasons[7]
    assert "steht schon in Zeile 2" in reasons[8]
    assert "kein Wort, das die Suche vergleicht" in reasons[9]  # stopwords only
    assert "mehr als 6 Wörter" in reasons[11]
    with pytest.raises(ValidationFailed) as refused:
        synonym_list.save(db, _admin(db), text)
    assert "Zeile 3" in refused.value.errors[synonym_list.FIELD]
    assert synonym_list.stored_text(db) is None  # nothing was stored
    too_long = "Glasfaser = Lichtwellenleiter\n" * (synonym_list.MAX_TEXT // 30 + 1)
    assert synonym_list.problems(too_long)[0].startswith("Höchstens 200.000 Zeichen")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0b", "\x0c", "\x1e", "\x85"])
def test_line_breaks_other_than_the_line_feed_are_refused(separator: str) -> None:
    [problem] = synonym_list.problems(f"Glasfaser = Lichtwellenleiter{separator}Kupfer = Draht")
    assert problem.startswith("Zeile 1:")


def test_lines_the_analyzer_would_not_apply_whole_are_named() -> None:
    # A compound's parts belong to the first group that has them.
    [taken] = synonym_list.problems(
        "Bürgerbeteiligung = Partizipation\nBürger Beteiligung = Mitwirkung"
    )
    assert taken.startswith("Zeile 2:") and "Mitwirkung" in taken
    # A group keeps 16 alternatives; each compound brings its parts as one more.
    compounds = [
        "Stadtentwicklung", "Klimaanpassung", "Wasserversorgung", "Bürgerbeteiligung",
        "Verkehrsplanung", "Schulentwicklung", "Abfallwirtschaft", "Breitbandausbau",
        "Datenschutzkonzept", "Energieversorgung", "Gebäudemanagement", "Personalverwaltung",
    ]  # fmt: skip
    [crowded] = synonym_list.problems(" = ".join(compounds))
    assert crowded.startswith("Zeile 1:")
    # A shorter expression inside a longer one is enough ("Nahverkehr" finds "öffentlicher
    # Nahverkehr"): the shipped list is right.
    assert synonym_list.problems(DEFAULT_TEXT) == []


def test_changes_and_the_reset_are_audited(db: Session) -> None:
    admin = _admin(db)
    synonym_list.save(db, admin, "Glasfaser = Lichtwellenleiter\r\nKita = Krippe\r\n")
    assert synonym_list.stored_text(db) == "Glasfaser = Lichtwellenleiter\nKita = Krippe\n"
    synonym_list.save(db, admin, "Glasfaser = Lichtwellenleiter\nKita = Krippe\n")  # unchanged
    synonym_list.reset(db, admin)
    synonym_list.reset(db, admin)  # nothing stored any more: nothing to audit
    assert synonym_list.stored_text(db) is None
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == [
        "search_synonyms_changed",
        "search_synonyms_reset",
    ]
    assert events[0].details == {
        "before": DEFAULT_TEXT.strip() + "\n",
        "after": "Glasfaser = Lichtwellenleiter\nKita = Krippe\n",
    }
    assert events[1].details == {  # what the reset removed stays in the record
        "before": "Glasfaser = Lichtwellenleiter\nKita = Krippe\n",
        "after": DEFAULT_TEXT.strip() + "\n",
    }
