"""German-aware search on both databases: word parts, umlauts, ß, ranking, excerpts."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.comments import service as comments
from app.config import Settings
from app.search import highlight, query
from app.vorhaben import service
from app.vorhaben.repository import VorhabenFilter
from tests import factories


@pytest.fixture
def corpus(db: Session) -> dict[str, int]:
    author = factories.account(db, "Sina Suche")
    strategy = factories.vorhaben(
        db,
        author,
        "Digitalisierungsstrategie 2030",
        summary="Leitbild und Maßnahmen für die ganze Verwaltung",
        tags="leitbild",
    )
    waste = factories.vorhaben(
        db,
        author,
        "App für die Müllabfuhr",
        summary="Abholtermine aufs Handy",
        description="Erinnerung an die **Mülltonne**.",
        fields=["abfall"],
    )
    street = factories.vorhaben(
        db, author, "Schlaglochmelder", summary="Schäden an der Straße melden", stage="pilot"
    )
    lamp = factories.vorhaben(
        db, author, "Intelligente Beleuchtung", summary="Sensoren an Laternen"
    )
    factories.comment(db, author, lamp, "Wir prüfen auch die Straßenbeleuchtung in der Altstadt.")
    return {"strategy": strategy.id, "waste": waste.id, "street": street.id, "lamp": lamp.id}


def _ids(db: Session, reader: factories.Account, q: str, **filters: str) -> list[int]:
    result = query.search(db, reader, q, VorhabenFilter(**filters))
    return [vorhaben.id for vorhaben in result.vorhaben]


@pytest.fixture
def reader(db: Session) -> factories.Account:
    return factories.account(db, "Rita Reader")


def test_a_word_part_finds_the_compound(
    db: Session, corpus: dict[str, int], reader: factories.Account
) -> None:
    assert _ids(db, reader, "Strategie") == [corpus["strategy"]]


@pytest.mark.parametrize("spelling", ["Strasse", "straße", "STRASSE"])
def test_ss_and_sharp_s_meet(
    db: Session, corpus: dict[str, int], reader: factories.Account, spelling: str
) -> None:
    assert set(_ids(db, reader, spelling)) == {corpus["street"], corpus["lamp"]}


@pytest.mark.parametrize("spelling", ["Mull", "Müll", "müllabfuhr", "MULLABFUHR"])
def test_umlauts_fold(
    db: Session, corpus: dict[str, int], reader: factories.Account, spelling: str
) -> None:
    assert _ids(db, reader, spelling) == [corpus["waste"]]


def test_every_term_must_match_and_filters_apply(
    db: Session, corpus: dict[str, int], reader: factories.Account
) -> None:
    assert _ids(db, reader, "Straße melden") == [corpus["street"]]
    assert _ids(db, reader, "Straße", stage="pilot") == [corpus["street"]]
    assert _ids(db, reader, "Müll", field="bildung") == []
    assert _ids(db, reader, "xyzzy") == []
    assert _ids(db, reader, "ab") == []  # too short to search


def test_title_hits_rank_above_body_hits(db: Session, reader: factories.Account) -> None:
    author = factories.account(db)
    body_hit = factories.vorhaben(
        db, author, "Bürgerportal", description="Später auch ein Parkraumkonzept."
    )
    title_hit = factories.vorhaben(db, author, "Parkraumkonzept Innenstadt")
    assert _ids(db, reader, "parkraumkonzept")[:2] == [title_hit.id, body_hit.id]


def test_an_excluded_word_drops_a_vorhaben_by_its_own_text_in_every_tier(
    db: Session, reader: factories.Account
) -> None:
    """The title and own-text tiers leave the word out in their match (their entry is the
    Vorhaben's own text), the comment tier by the Vorhaben's own entry; a comment with the
    word drops nothing. Filters take the other statements (the Vorhaben joined)."""
    author = factories.account(db)
    kept_title = factories.vorhaben(db, author, "Schule am Fluss")
    factories.vorhaben(db, author, "Schule", description="Tablets für alle")
    kept_own = factories.vorhaben(db, author, "Rathaus", description="Die Schule am See")
    factories.vorhaben(db, author, "Rathaus", description="Die Schule mit Tablets")
    by_comment = factories.vorhaben(db, author, "Bauhof", description="Tablets im Lager")
    factories.comment(db, author, by_comment, "Und die Schule?")
    kept_comment = factories.vorhaben(db, author, "Bauhof")
    factories.comment(db, author, kept_comment, "Die Schule fragt nach.")
    factories.comment(db, author, kept_comment, "Tablets hätten wir.")
    expected = {kept_title.id, kept_own.id, kept_comment.id}

    for filters in ({}, {"stage": "idee"}):
        result = query.search(db, reader, "Schule -Tablets", VorhabenFilter(**filters))
        assert {card.id for card in result.vorhaben} == expected, filters
        assert result.total == 3


def test_an_excluded_phrase_drops_what_has_it_not_what_has_its_words(
    db: Session, reader: factories.Account
) -> None:
    """Before, "-\"digitale Schule\"" excluded each word, the query's own "Schule" too: no
    hit at all."""
    author = factories.account(db)
    river = factories.vorhaben(db, author, "Schule am Fluss")
    media = factories.vorhaben(db, author, "Schule und digitale Medien")
    factories.vorhaben(db, author, "Die digitale Schule")
    by_comment = factories.vorhaben(db, author, "Bauhof", description="Die digitale Schule")
    factories.comment(db, author, by_comment, "Und die Schule?")

    for text in ('Schule -"digitale Schule"', "Schule -„digitale Schule“"):
        result = query.search(db, reader, text, VorhabenFilter())
        assert {card.id for card in result.vorhaben} == {river.id, media.id}, text
        assert result.total == 2


def test_a_phrase_spans_neither_two_fields_nor_from_a_word_to_parts(
    db: Session, reader: factories.Account
) -> None:
    """Before, PostgreSQL numbered the summary's positions on from the title's, so a title
    ending in "Digitale" and a summary starting with "Schule" had the phrase "digitale
    Schule"; and on both databases a field's last word stood next to the first compound
    part ("Digitalisierungsstrategie Schule" had "Schule Digitalisierung")."""
    author = factories.account(db)
    across = factories.vorhaben(db, author, "Projekt Digitale", summary="Schule im Dorf")
    parts = factories.vorhaben(db, author, "Digitalisierungsstrategie Schule")
    two_words = factories.vorhaben(db, author, "Digitalisierungsstrategie Schulentwicklung")
    phrase = factories.vorhaben(db, author, "Schule im Wandel", summary="Die digitale Schule")
    portal = factories.vorhaben(db, author, "Unser Open-Data-Portal")

    def found(text: str) -> set[int]:
        result = query.search(db, reader, text, VorhabenFilter())
        assert result.total == len(result.vorhaben), text
        return {card.id for card in result.vorhaben}

    assert found('"digitale Schule"') == {phrase.id}
    assert found('Dorf -"digitale Schule"') == {across.id}
    assert found('"Schule Digitalisierung"') == set()
    assert found('"Strategie Schule"') == set()  # the parts of two words
    assert found('Strategie -"Schule Digitalisierung"') == {parts.id, two_words.id}
    assert found('"Open Data"') == {portal.id}  # the parts of one word still match
    assert found('"Digitalisierungsstrategie Schule"') == {parts.id}


def test_comment_hits_report_the_comment_with_a_marked_excerpt(
    db: Session, corpus: dict[str, int], reader: factories.Account
) -> None:
    result = query.search(db, reader, "Altstadt", VorhabenFilter())
    assert [vorhaben.id for vorhaben in result.vorhaben] == [corpus["lamp"]]
    comment = result.comments[corpus["lamp"]]
    excerpt = highlight.excerpt(comment.body, result.terms)
    assert excerpt is not None and "<mark>Altstadt</mark>" in excerpt


def test_results_page(db: Session, reader: factories.Account) -> None:
    author = factories.account(db)
    for number in range(25):
        factories.vorhaben(db, author, f"Bürgerbüro Nummer {number}")
    first = query.search(db, reader, "Bürgerbüro", VorhabenFilter(), page=1)
    second = query.search(db, reader, "Bürgerbüro", VorhabenFilter(), page=2)
    assert first.total == 25 and first.pages == 2
    assert len(first.vorhaben) == 20 and len(second.vorhaben) == 5
    assert not {v.id for v in first.vorhaben} & {v.id for v in second.vorhaben}
    assert query.search(db, reader, "Bürgerbüro", VorhabenFilter(), page=99).page == 2


def test_the_index_follows_edits_and_deletions(
    db: Session, settings: Settings, reader: factories.Account
) -> None:

    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Radwegeplanung")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.title = "Fahrradstraßen-Netz"
    service.update(db, settings, author, vorhaben.id, form)
    assert _ids(db, reader, "Radwegeplanung") == []
    assert _ids(db, reader, "Fahrradstrassen") == [vorhaben.id]
    comment = factories.comment(db, author, vorhaben, "Mit Zählstellen")
    assert _ids(db, reader, "Zählstellen") == [vorhaben.id]
    comments.delete(db, author, comment.id)
    assert _ids(db, reader, "Zählstellen") == []
    service.delete_vorhaben(db, settings, author, vorhaben.id)
    assert _ids(db, reader, "Fahrradstrassen") == []


def test_mark_escapes_and_keeps_the_original_spelling() -> None:
    marked = highlight.mark("<b>Müllabfuhr</b> & Straße", ["mull", "strasse"])
    assert str(marked) == "&lt;b&gt;<mark>Müll</mark>abfuhr&lt;/b&gt; &amp; <mark>Straße</mark>"
