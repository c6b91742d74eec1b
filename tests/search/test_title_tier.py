"""PostgreSQL's title tier for one word or phrase (nothing excluded) matches the title alone:
a title with the word matches the whole query, and the planner otherwise added a scan of
every entry with the word and a recheck of each (54 -> 13 ms for "Schule" at 100,000
Vorhaben). It reads the titles from the narrow `search_titles`, which a trigger keeps
(migration 0036: a word in 30 % of the titles 90 -> 2 ms; the table itself is tested in
test_narrow.py). With more words the whole text must still match."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.search.test_narrow import search_recorded


def _title_tier(db: Session, text: str) -> tuple[str, list[int]]:
    """The statement of the title tier, and the Vorhaben found."""
    seen, found, _total = search_recorded(db, text)
    tiers = ("to_tsvector('simple'::regconfig, search_entries.tokens_a)", "search_titles")
    return next(st for st in seen if any(tier in st for tier in tiers)), found


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
