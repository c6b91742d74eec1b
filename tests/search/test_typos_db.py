"""Typo tolerance in the real search (app.search.vocabulary) on each database: a longer
word that nothing has is corrected from the words of visible Vorhaben, the page says
"Meinten Sie …?", and words the reader may not see are never suggested nor able to crowd
out a visible one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.search import query, vocabulary
from app.search.analyzer import DEFAULT_ANALYZER
from app.vorhaben.repository import VorhabenFilter
from tests import factories


def _search(db: Session, reader: factories.Account, text: str) -> query.SearchResult:
    return query.search(db, reader, text, VorhabenFilter())


def test_a_typo_in_a_longer_word_finds_what_was_meant(db: Session) -> None:
    author = factories.account(db, "Ida Idee")
    meant = factories.vorhaben(db, author, "Digitalisierung der Museumssammlung")
    factories.vorhaben(db, author, "Radwegeplanung")
    reader = factories.account(db, "Rita Reader")

    result = _search(db, reader, "Digitalisirung")

    assert [card.id for card in result.vorhaben] == [meant.id]
    assert result.corrected
    assert result.meant == "Digitalisierung"
    assert "digitalisier" in result.terms  # the correction is marked in the hits


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Bu\u0308rgerbeteilgung", "Bürgerbeteiligung"),  # the umlaut as two code points
        ("Bürger\u00adbeteilgung", "Bürgerbeteiligung"),  # a soft hyphen
        ("Ｂürgerbeteilgung", "Bürgerbeteiligung"),  # a fullwidth letter
        ("Bürgerbeteilgung online", "Bürgerbeteiligung online"),
        ("Bürgerbeteilgung Bürgerbeteilgung", "Bürgerbeteiligung Bürgerbeteiligung"),
        ("Bürger*innenbeteilgung", "Bürgerbeteiligung"),  # a gender form
    ],
)
def test_meinten_sie_carries_the_corrected_word_however_it_was_typed(
    typed: str, expected: str
) -> None:
    # The correction is keyed by the word as the analyzer read it (NFKC, no soft hyphen,
    # gender forms folded); the suggestion once repeated the typo where the typed text
    # differed from it, and corrected a repeated word only once.
    texts = ["Bürgerbeteiligung online Digitalisierung der Verwaltung"]
    term = DEFAULT_ANALYZER.analyze_query(typed).terms[0].text
    assert vocabulary.meant(typed, {term: "burgerbeteil"}, texts) == expected


def test_meinten_sie_never_suggests_what_was_typed() -> None:
    assert (
        vocabulary.meant(
            "Bürgerbeteiligung", {"Bürgerbeteiligung": "burgerbeteil"}, ["Bürgerbeteiligung"]
        )
        is None
    )


def test_a_correct_word_and_short_words_are_not_corrected(db: Session) -> None:
    author = factories.account(db, "Ida Idee")
    factories.vorhaben(db, author, "Sensoren im Park")
    factories.vorhaben(db, author, "Seniorentreff digital")
    reader = factories.account(db, "Rita Reader")

    assert not _search(db, reader, "Senioren").corrected  # known: left alone
    short = _search(db, reader, "Parkk")  # five letters: never corrected
    assert short.total == 0 and not short.corrected


def test_the_page_asks_meinten_sie(client: TestClient, db: Session) -> None:
    author = factories.account(db, "Ida Idee")
    factories.vorhaben(db, author, "Online-Bürgerbeteiligung für den Haushalt")
    reader = factories.account(db, "Rita Reader")
    factories.login(client, db, reader)

    page = client.get("/suche", params={"q": "Bürgerbeteilgung"})

    assert page.status_code == 200
    assert "Meinten Sie" in page.text
    assert "/suche?q=B%C3%BCrgerbeteiligung" in page.text
    assert "1 Treffer" in page.text


@pytest.mark.parametrize("crowd", [0, 1, 3])
def test_words_the_reader_cannot_see_are_never_suggested(db: Session, crowd: int) -> None:
    outsider = factories.account(db, "Otto Outsider")
    # Another municipality's internal Vorhaben: the typed word's closest neighbours
    # (same length), which would take every correction place if they were counted.
    for made_up in ["Digitalisar", "Digitalisur", "Digitalisor"][:crowd]:
        factories.vorhaben(db, outsider, f"{made_up} intern", visibility="municipality")
    hidden = factories.vorhaben(db, outsider, "Digitalisierung intern", visibility="municipality")
    reader = factories.account(db, "Rita Reader")

    nothing = _search(db, reader, "Digitalisirung")
    assert nothing.total == 0 and not nothing.corrected and nothing.meant is None

    visible = factories.vorhaben(db, factories.account(db, "Ida Idee"), "Digitalisierte Akten")
    found = _search(db, reader, "Digitalisirung")

    assert [card.id for card in found.vorhaben] == [visible.id]
    assert hidden.id not in [card.id for card in found.vorhaben]
    assert found.meant == "Digitalisierte"


def test_the_vocabulary_walk_finds_close_tokens_on_the_database(db: Session) -> None:
    author = factories.account(db, "Ida Idee")
    factories.vorhaben(db, author, "Beteiligungsplattform", description="Dokumentenmanagement")

    assert vocabulary.near(db, "beteiligungsplatform") == ["beteiligungsplattform"]
    assert vocabulary.near(db, "dokumentenmanagment") == ["dokumentenmanagement"]
    assert vocabulary.near(db, "ki") == []
