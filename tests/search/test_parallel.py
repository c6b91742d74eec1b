"""Analyzing a rebuild in worker processes (app.search.parallel): the same index as the
writes stored, whatever the number of processes and the size of the batches."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session

from app.search import bulk, parallel
from app.search.models import SearchEntry, VorhabenTerm
from tests import factories


def _pid_and_batch(batch: list[int]) -> tuple[int, list[int]]:
    return os.getpid(), [number * 2 for number in batch]


def test_the_batches_come_back_in_order_from_other_processes() -> None:
    results = list(parallel.mapped(_pid_and_batch, parallel.chunks(list(range(25)), 3), workers=2))

    assert [doubled for _pid, doubled in results] == [
        [number * 2 for number in range(start, min(start + 3, 25))] for start in range(0, 25, 3)
    ]
    assert os.getpid() not in {pid for pid, _doubled in results}


def test_one_batch_or_one_worker_stays_in_this_process() -> None:
    one_batch = parallel.mapped(_pid_and_batch, [[1, 2]], workers=2)
    one_worker = parallel.mapped(_pid_and_batch, parallel.chunks([1, 2, 3], 1), workers=1)

    assert {pid for pid, _doubled in [*one_batch, *one_worker]} == {os.getpid()}


def _index(db: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    entries = db.execute(
        select(
            SearchEntry.kind,
            SearchEntry.ref_id,
            SearchEntry.tokens_a,
            SearchEntry.tokens_b,
            SearchEntry.tokens_c,
            SearchEntry.tokens_d,
        ).order_by(SearchEntry.kind, SearchEntry.ref_id)
    )
    terms = db.execute(
        select(
            VorhabenTerm.vorhaben_id, VorhabenTerm.term, VorhabenTerm.weight, VorhabenTerm.scope
        ).order_by(VorhabenTerm.vorhaben_id, VorhabenTerm.term)
    )
    return [tuple(row) for row in entries], [tuple(row) for row in terms]


def test_a_rebuild_in_worker_processes_stores_what_the_writes_stored(db: Session) -> None:
    author = factories.account(db)
    for title, tags in (
        ("Bürger*innenbeteiligung online", "Beteiligung, Open Data"),
        ("Digitale Schule im Landkreis", "Schule, WLAN"),
        ("OZG-Umsetzung im Bürgeramt", "OZG"),
    ):
        vorhaben = factories.vorhaben(
            db, author, title, summary=f"{title}: erste Schritte", tags=tags
        )
        factories.comment(db, author, vorhaben, f"Wie habt ihr {title} angefangen?")
        factories.comment(db, author, vorhaben, "Müllabfuhr-App und KI-Chatbot für 5G-Masten")
    db.flush()
    written = _index(db)
    assert len(written[0]) == 9 and written[1]

    connection = db.connection()
    # Nothing of the written index is left for the rebuild to leave standing.
    db.execute(update(SearchEntry).values(tokens_a="", tokens_b="", tokens_c="", tokens_d=""))
    db.execute(delete(VorhabenTerm))
    assert _index(db) != written
    bulk.reindex(connection, commit=False, workers=2, batch=1)
    bulk.reindex_terms(connection, commit=False, workers=2, batch=1)

    assert _index(db) == written
    if connection.dialect.name == "postgresql":  # the entries went by COPY: nothing is left
        assert connection.exec_driver_sql("SELECT to_regclass('reindexed')").scalar() is None


def _setting(connection: Connection) -> object:
    """The setting bulk.tuned() changes: SQLite's page cache, PostgreSQL's commit wait."""
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql("PRAGMA cache_size").scalar()
    return connection.exec_driver_sql("SHOW synchronous_commit").scalar()


@pytest.mark.commits(only=True)
def test_a_rebuild_tunes_its_connection_and_puts_it_back(engine: Engine) -> None:
    """The connection goes back to the pool after a rebuild: with a bulk page cache of
    512 MiB (SQLite) or commits that do not wait (PostgreSQL) it would serve pages so."""
    with engine.connect() as connection:
        ordinary = _setting(connection)
        with bulk.tuned(connection):
            assert _setting(connection) in {-bulk.BULK_CACHE_KIB, "off"}
        assert _setting(connection) == ordinary
        with pytest.raises(RuntimeError), bulk.tuned(connection):
            raise RuntimeError("a rebuild that fails")
        assert _setting(connection) == ordinary
        bulk.rebuild(connection)
        assert _setting(connection) == ordinary


def _watching(step: Callable[..., int], seen: list[object]) -> Callable[..., int]:
    """The rebuild's step, noting the connection's setting when it starts."""

    def watched(connection: Connection, *args: Any, **kwargs: Any) -> int:
        seen.append(_setting(connection))
        return step(connection, *args, **kwargs)

    return watched


@pytest.mark.commits(only=True)
def test_a_rebuild_writes_on_the_tuned_connection(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild itself takes the settings (the 512 MiB page cache was 154 s of the full
    SQLite rebuild): its writing steps see them."""
    factories.vorhaben(db, factories.account(db), "Digitales Bauamt")
    db.commit()
    seen: list[object] = []
    for step in ("reindex", "reindex_terms"):
        monkeypatch.setattr(bulk, step, _watching(getattr(bulk, step), seen))
    with engine.connect() as connection:
        bulk.rebuild(connection)
    assert seen and all(value in {-bulk.BULK_CACHE_KIB, "off"} for value in seen)


@pytest.mark.commits(only=True)
def test_a_rebuild_measures_the_terms_new_indexes_on_sqlite(engine: Engine, db: Session) -> None:
    """The rebuild drops and creates the terms' indexes: SQLite's planner statistics for
    them would be missing until the next statistics refresh."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's statistics")
    made = random.Random(7)  # noqa: S311 - made-up words of a test
    author = factories.account(db)
    for number in range(16):
        words = (
            "".join(made.choice("bdfgklmnprstwz") + made.choice("aeiou") for _ in range(4))
            for _ in range(80)
        )
        factories.vorhaben(db, author, f"Vorhaben {number}", description=" ".join(words))
    db.commit()
    with engine.connect() as connection:
        bulk.rebuild(connection)
        assert (
            int(connection.exec_driver_sql("SELECT count(*) FROM vorhaben_terms").scalar_one())
            > 1_000
        )
        measured = connection.exec_driver_sql(
            "SELECT idx FROM sqlite_stat1 WHERE tbl = 'vorhaben_terms'"
        ).scalars()
        assert {"ix_vorhaben_terms_term_scope", "ix_vorhaben_terms_vorhaben_id"} <= set(measured)
