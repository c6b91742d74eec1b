"""What a write costs the index: a Vorhaben's entry and similar-Vorhaben terms are read in
one statement and written in one more (PostgreSQL; SQLite, in process, a few cheap ones),
and nothing is written when the analyzed text did not change. The rows written are the
same as a full analysis gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.search import bulk, index, similar
from app.search.models import EntryKind, SearchEntry, VorhabenTerm
from app.vorhaben.models import Vorhaben
from tests import factories


@contextmanager
def _statements(db: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = db.get_bind()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _stored(db: Session, vorhaben_id: int) -> tuple[tuple[str, ...], dict[str, int]]:
    entry = db.execute(
        select(SearchEntry.tokens_a, SearchEntry.tokens_b, SearchEntry.tokens_c).where(
            SearchEntry.kind == EntryKind.VORHABEN, SearchEntry.ref_id == vorhaben_id
        )
    ).one()
    terms = db.execute(
        select(VorhabenTerm.term, VorhabenTerm.weight).where(
            VorhabenTerm.vorhaben_id == vorhaben_id
        )
    )
    return tuple(entry), {str(term): int(weight) for term, weight in terms}


def _expected(vorhaben: Vorhaben, tags: list[str], fields: list[str]) -> Any:
    columns = index.vorhaben_columns(
        title=vorhaben.title,
        summary=vorhaben.summary,
        description=vorhaben.description,
        lessons_learned=vorhaben.lessons_learned,
        tags=tags,
        fields=fields,
    )
    terms = similar.stored_terms(
        title=vorhaben.title, summary=vorhaben.summary, tags=tags, description=vorhaben.description
    )
    return (columns["tokens_a"], columns["tokens_b"], columns["tokens_c"]), terms


def test_an_ordinary_edit_reads_once_and_writes_once(db: Session) -> None:
    author = factories.account(db, "Ina Index")
    vorhaben = factories.vorhaben(
        db,
        author,
        "Radwegeplanung mit Zählstellen",
        summary="Wo fahren die Leute?",
        description="Sensoren an den Radwegen zählen den Verkehr.",
        tags="Mobilität, Sensoren",
        fields=["mobilitaet"],
    )
    tags = ["Mobilität", "Sensoren"]
    vorhaben.title = "Fahrradstraßen mit Zählstellen"
    vorhaben.description = "Sensoren an den Fahrradstraßen zählen den Verkehr."
    db.flush()

    with _statements(db) as seen:
        index.index_vorhaben(db, vorhaben, tags)
        db.flush()

    limit = 2 if db.get_bind().dialect.name == "postgresql" else 4
    assert len(seen) <= limit, seen
    assert _stored(db, vorhaben.id) == _expected(vorhaben, tags, ["Mobilität"])


def test_an_unchanged_text_writes_nothing(db: Session) -> None:
    author = factories.account(db, "Ina Index")
    vorhaben = factories.vorhaben(
        db, author, "Digitaler Bauantrag", description="Anträge online", tags="Bauen"
    )
    before = _stored(db, vorhaben.id)

    with _statements(db) as seen:
        index.index_vorhaben(db, vorhaben, ["Bauen"])
        db.flush()

    assert len(seen) == 1  # the read
    assert seen[0].lstrip().upper().startswith("SELECT")
    assert _stored(db, vorhaben.id) == before


def test_a_new_vorhaben_and_a_cleared_text_are_written_exactly(db: Session) -> None:
    author = factories.account(db, "Ina Index")
    vorhaben = factories.vorhaben(db, author, "Müllabfuhr-Kalender", tags="Abfall")
    assert _stored(db, vorhaben.id) == _expected(vorhaben, ["Abfall"], [])

    vorhaben.title = "Kalender"
    db.flush()
    index.index_vorhaben(db, vorhaben, [])
    db.flush()

    assert _stored(db, vorhaben.id) == _expected(vorhaben, [], [])


def test_a_comment_edit_is_one_statement_and_the_session_sees_it(db: Session) -> None:
    author = factories.account(db, "Ina Index")
    vorhaben = factories.vorhaben(db, author, "Offene Daten")
    comment = factories.comment(db, author, vorhaben, "Welche Lizenz?")
    entry = db.scalars(
        select(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment.id
        )
    ).one()
    comment.body = "Welche Lizenzen nutzt ihr?"
    db.flush()

    with _statements(db) as seen:
        index.index_comment(db, comment)
        db.flush()

    assert len(seen) <= 1, seen
    assert (
        db.scalars(select(SearchEntry).where(SearchEntry.id == entry.id)).one().tokens_d
        == (index.comment_columns("Welche Lizenzen nutzt ihr?")["tokens_d"])
    )


def test_a_rebuild_stores_what_the_writes_stored(db: Session) -> None:
    """Tags as typed (not in order), fields of action: a full rebuild of the index (after
    an analyzer change) gives every Vorhaben the tokens its writes gave it, so its score
    does not depend on whether the index was rebuilt (the ranking reads adjacent tokens)."""
    author = factories.account(db)
    vorhaben = factories.vorhaben(
        db,
        author,
        "Digitale Verwaltung",
        summary="Akten ohne Papier",
        tags="Zukunft, E-Akte, Dokumentenmanagement",
        fields=["verwaltung-ozg", "bildung"],
    )
    db.flush()
    written = _stored(db, vorhaben.id)

    bulk.reindex(db.connection(), commit=False)
    bulk.reindex_terms(db.connection(), commit=False)

    assert _stored(db, vorhaben.id) == written
    assert "zukunft" in written[0][1]


def test_rebuilding_the_terms_keeps_their_indexes(db: Session) -> None:
    """The rebuild drops the terms' secondary indexes for the load and builds them at its
    end (kept, the 8 million rows of the full size went into them one by one)."""

    def indexes() -> set[str]:
        found = inspect(db.connection()).get_indexes(VorhabenTerm.__tablename__)
        return {str(index["name"]) for index in found}

    before = indexes()
    assert {"ix_vorhaben_terms_vorhaben_id", "ix_vorhaben_terms_term_scope"} <= before
    vorhaben = factories.vorhaben(db, factories.account(db), "Baumkataster digital")
    db.flush()
    written = _stored(db, vorhaben.id)

    assert bulk.reindex_terms(db.connection(), commit=False) >= len(written[1])

    assert indexes() == before
    assert _stored(db, vorhaben.id) == written
