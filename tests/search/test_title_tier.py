"""PostgreSQL's title tier for one word or phrase (nothing excluded) matches the title alone:
a title with the word matches the whole query, and the planner otherwise added a scan of
every entry with the word and a recheck of each (54 -> 13 ms for "Schule" at 100,000
Vorhaben). It reads the titles from the narrow `search_titles`, which a trigger keeps
(migration 0036: a word in 30 % of the titles 90 -> 2 ms; the table itself is tested in
test_narrow.py). With more words the whole text must still match."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.search import query
from app.vorhaben.repository import VorhabenFilter
from tests import factories


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
