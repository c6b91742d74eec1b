"""PostgreSQL's title tier for one word or phrase (nothing excluded) matches the title alone:
a title with the word matches the whole query, and the planner otherwise added a scan of
every entry with the word and a recheck of each (54 -> 13 ms for "Schule" at 100,000
Vorhaben). It reads the titles from the narrow `search_titles`, which a trigger keeps
(migration 0036: a word in 30 % of the titles 90 -> 2 ms). With more words the whole text
must still match."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.search import bulk, index, query
from app.vorhaben.repository import VorhabenFilter
from tests import factories
from tests.search.test_narrow import entry_row, narrow_rows


def _title_tier(db: Session, text: str) -> tuple[str, list[int]]:
    seen: list[str] = []
    connection = db.connection()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        tiers = ("to_tsvector('simple'::regconfig, search_entries.tokens_a)", "search_titles")
        if any(tier in statement for tier in tiers):
            seen.append(statement)

    reader = factories.account(db, "Rita Reader")
    event.listen(connection, "before_cursor_execute", record)
    try:
        result = query.search(db, reader, text, VorhabenFilter())
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return seen[0], [card.id for card in result.vorhaben]


@pytest.fixture
def postgres(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("the title tier's expression index is PostgreSQL's")


@pytest.mark.usefixtures("postgres")
@pytest.mark.parametrize("text", ["Schule", '"digitale Schule"'])
def test_one_word_or_phrase_matches_the_title_alone(db: Session, text: str) -> None:
    author = factories.account(db, "Paula Pult")
    titled = factories.vorhaben(db, author, "Die digitale Schule")
    factories.vorhaben(db, author, "Tablets", description="Für die digitale Schule")

    statement, found = _title_tier(db, text)

    assert "FROM search_titles" in statement
    assert "search_entries" not in statement
    assert found[0] == titled.id


@pytest.mark.usefixtures("postgres")
def test_more_words_still_match_the_whole_text(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    factories.vorhaben(db, author, "Schule am Fluss")
    both = factories.vorhaben(db, author, "Schule", description="Tablets für alle")

    statement, found = _title_tier(db, "Schule Tablets")

    assert "search_entries.search_vector @@" in statement
    assert found == [both.id]


def _titles(db: Session, vorhaben_id: int) -> list[tuple[str, str]]:
    return narrow_rows(db, "search_titles", vorhaben_id)


def _entry(db: Session, vorhaben_id: int) -> tuple[str, str]:
    """The Vorhaben entry's scope and its title tokens as a tsvector."""
    return entry_row(db, "search_titles", vorhaben_id)


@pytest.mark.usefixtures("postgres")
def test_the_titles_follow_every_write_of_the_entries(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Die digitale Schule", description="Tablets")
    factories.comment(db, author, vorhaben, "Schule ohne Kreide")  # no title of its own
    db.flush()
    assert _titles(db, vorhaben.id) == [_entry(db, vorhaben.id)]
    assert _titles(db, vorhaben.id) == [("members", "'digital':1 'schul':2")]

    vorhaben.title = "Das Rathaus"
    db.flush()
    index.index_vorhaben(db, vorhaben, [])
    index.update_scope(db, vorhaben.id, "municipality")
    db.flush()
    assert _titles(db, vorhaben.id) == [_entry(db, vorhaben.id)]
    scope, title = _titles(db, vorhaben.id)[0]
    assert scope == "municipality"
    assert "'rathaus'" in title
    assert "schul" not in title

    db.delete(vorhaben)
    db.flush()
    assert _titles(db, vorhaben.id) == []


@pytest.mark.usefixtures("postgres")
def test_a_bulk_rebuild_fills_the_titles_again(db: Session) -> None:
    author = factories.account(db, "Paula Pult")
    vorhaben = factories.vorhaben(db, author, "Die digitale Schule")
    db.flush()
    connection = db.connection()

    bulk.suspend(connection, commit=False)
    connection.exec_driver_sql("DELETE FROM search_titles")
    bulk.restore(connection, commit=False)

    assert _titles(db, vorhaben.id) == [("members", "'digital':1 'schul':2")]
    _, found = _title_tier(db, "Schule")
    assert found == [vorhaben.id]
