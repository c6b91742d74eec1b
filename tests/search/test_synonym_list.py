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
    shown = synonym_list.text_to_edit(db)
    assert "OZG = Onlinezugangsgesetz" in shown
    assert synonym_list.problems(shown) == []
    assert len(DEFAULT_SYNONYMS.groups) == len(synonym_list.save(db, _admin(db), shown).groups)


def _admin(db: Session) -> factories.Account:
    return factories.account(db, "Ada Admin", role=factories.Role.ADMIN)


def test_a_saved_list_applies_with_the_next_search(db: Session) -> None:
    admin = _admin(db)
    author = factories.account(db, "Anja Autorin")
    factories.vorhaben(db, author, "Lichtwellenleiter für alle Schulen")
    reader = factories.account(db, "Lea Leserin")
    assert _titles(db, reader, "Glasfaser") == []

    synonym_list.save(db, admin, DEFAULT_TEXT + "\nGlasfaser = Lichtwellenleiter\n")

    assert _titles(db, reader, "Glasfaser") == ["Lichtwellenleiter für alle Schulen"]
    assert _titles(db, reader, "OZG") == []  # the shipped groups are still there (no hit)
    synonym_list.save(db, admin, "Glasfaser = Kupfer\n")  # the edited list replaces it all
    assert _titles(db, reader, "Glasfaser") == []
    assert "onlinezugangsgesetz" not in synonym_list.analyzer(db).analyze_query("OZG").tokens


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
    lines = [problem.split(":", 1)[0] for problem in synonym_list.problems(text)]
    assert lines == [f"Zeile {n}" for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13)]
    # Line 14 ("Glasfaser = Lichtwellenleiter") is right: its words are in no other line.
    assert "steht schon in Zeile 2" in synonym_list.problems(text)[8]
    with pytest.raises(ValidationFailed) as refused:
        synonym_list.save(db, _admin(db), text)
    assert "Zeile 3" in refused.value.errors[synonym_list.FIELD]
    assert synonym_list.stored_text(db) is None  # nothing was stored
    assert synonym_list.problems("x = y\n" * 3 + "z" * synonym_list.MAX_TEXT) != []


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
        "groups_before": len(DEFAULT_SYNONYMS.groups),
        "groups_after": 2,
    }
