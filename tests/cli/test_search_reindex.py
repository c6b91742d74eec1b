"""`allmende search reindex` and the rebuild in `allmende db upgrade`: the index records the
fingerprint of the analyzer it was built with, and a different one rebuilds it, once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from app.search import bulk
from app.search.models import IndexState, SearchEntry, VorhabenTerm
from tests import factories
from tests.cli.conftest import Run

pytestmark = [pytest.mark.commits(only=True), pytest.mark.cli]


def _state(engine: Engine) -> tuple[str | None, list[str], set[str]]:
    """The recorded fingerprint, the title tokens of the entries, the similar terms."""
    with engine.connect() as connection:
        return (
            bulk.stored_fingerprint(connection),
            list(connection.scalars(select(SearchEntry.tokens_a).order_by(SearchEntry.id))),
            set(connection.scalars(select(VorhabenTerm.term))),
        )


def _outdate(engine: Engine) -> None:
    """An index built by another analyzer: other tokens, other terms, other fingerprint."""
    with engine.begin() as connection:
        connection.execute(update(SearchEntry).values(tokens_a="veraltet"))
        connection.execute(delete(VorhabenTerm))
        connection.execute(update(IndexState).values(fingerprint="0000000000000000"))


def test_a_changed_analyzer_rebuilds_the_index_at_upgrade_and_only_once(
    allmende: Run, db: Session, engine: Engine
) -> None:
    author = factories.account(db, "Sina Suche")
    factories.vorhaben(db, author, "Bürgerbeteiligung", summary="Eine Beteiligungsplattform")
    db.commit()
    built = _state(engine)
    assert built[0] == bulk.fingerprint()  # recorded by the migration
    assert "burgerbeteil" in built[1][0] and "beteil" in built[2]

    _outdate(engine)
    upgraded = allmende("db", "upgrade")
    assert upgraded.code == 0, upgraded.err
    assert "rebuilding" in upgraded.out and "search index rebuilt: 1 entries" in upgraded.out
    assert upgraded.last_line.startswith("database at ")
    assert _state(engine) == built
    again = allmende("db", "upgrade")
    assert again.code == 0 and "rebuil" not in again.out

    current = allmende("search", "reindex", "--if-changed")
    assert current.code == 0 and current.last_line == "search index is current"
    _outdate(engine)
    forced = allmende("search", "reindex")
    assert forced.code == 0, forced.err
    assert _state(engine) == built
