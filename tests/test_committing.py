"""The test suite's committing mode (tests/committing.py) commits for real and leaves an
empty database behind: otherwise the marked modules would test nothing new, or test each
other's leftovers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, inspect, select, table, text, update
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.db import make_session_factory
from app.vorhaben.models import FieldOfAction
from tests import factories
from tests.committing import COMMIT, Cleaner
from tests.publishing import make_scene

pytestmark = pytest.mark.commits


def test_only_the_committing_mode_lets_another_connection_see_a_request(
    client: TestClient, db: Session, engine: Engine, transaction_mode: str
) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Zählerstände digital")
    factories.login(client, db, author)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    posted = client.post(
        f"/vorhaben/{vorhaben.id}/comments", data={"csrf_token": token, "body": "Gespeichert?"}
    )
    assert posted.status_code == 303
    # The test's own session sees the app's comment in both modes.
    assert db.scalars(select(Comment.body)).all() == ["Gespeichert?"]
    # A connection of its own (another request, another worker) only once it was committed.
    # A plain engine: its reads take no lock that the test's open transaction holds.
    plain = create_engine(engine.url)
    with plain.connect() as other:
        seen = other.scalar(select(func.count()).select_from(Comment))
    plain.dispose()
    assert seen == (1 if transaction_mode == COMMIT else 0)


def test_the_cleaner_empties_every_table_and_restores_what_migrations_seeded(
    committing_database: Cleaner,
) -> None:
    engine = committing_database.engine
    counts, fields = _counts(engine), _fields_of_action(engine)
    assert fields, "the migrations seed the fields of action"
    with make_session_factory(engine)() as db:
        scene = make_scene(db)
        factories.comment(db, scene.moderator, scene.vorhaben, "Ein Kommentar")
        db.execute(update(FieldOfAction).values(label="Umbenannt"))
        db.commit()
    assert _counts(engine) != counts
    committing_database.clean()
    assert _counts(engine) == counts
    assert _fields_of_action(engine) == fields
    if engine.dialect.name == "sqlite":  # the full-text index followed its table
        with engine.connect() as connection:
            assert not connection.execute(text("SELECT rowid FROM search_fts")).all()


def _counts(engine: Engine) -> dict[str, int]:
    """Rows per table (SQLite's own statistics aside)."""
    names = [name for name in inspect(engine).get_table_names() if not name.startswith("sqlite_")]
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table(name))) or 0
            for name in names
        }


def _fields_of_action(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(select(FieldOfAction.__table__).order_by(FieldOfAction.id))
        return [tuple(row) for row in rows]
