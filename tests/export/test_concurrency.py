"""Two moderators (or two owners) acting at the same moment, with real commits on both
databases: the publication row lock turns the loser into a clear 409, never an
IntegrityError (a 500)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, load_settings
from app.core.errors import InvalidTransition
from app.db import make_engine, make_session_factory, unit_of_work
from app.export import review, serializer, service
from app.export.models import Publication, PublicationVersion
from app.vorhaben import service as vorhaben_service
from tests.conftest import TEST_SECRET
from tests.publishing import Scene, form_of, make_scene


@pytest.fixture
def committed(fresh_database_url: str) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    settings = load_settings(env="test", database_url=fresh_database_url, secret_key=TEST_SECRET)
    engine = make_engine(fresh_database_url)
    yield settings, make_session_factory(engine)
    engine.dispose()


def _side_by_side(sessions: sessionmaker[Session], act: Callable[[Session], Any]) -> list[str]:
    """Run `act` in two threads at once, each in its own transaction; returns outcomes."""
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            with unit_of_work(sessions) as db:
                act(db)
            outcome = "ok"
        except InvalidTransition:
            outcome = "409"
        except Exception as error:  # the bug this test guards against
            outcome = type(error).__name__
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def _meet(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> None:
    """Make both threads wait for each other inside `target.name` (for at most a second):
    without a lock both get there and collide; with one the second waits outside."""
    barrier = threading.Barrier(2)
    original = getattr(target, name)

    def meeting(*args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, meeting)


def test_two_releases_at_once_make_one_version(
    committed: tuple[Settings, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, sessions = committed
    with unit_of_work(sessions) as db:
        scene = make_scene(db)
        publication_id = service.submit(
            db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene)
        ).id
        moderator_id = scene.moderator.id
    _meet(monkeypatch, serializer, "build_item")

    def release(db: Session) -> None:
        moderator = db.get(type(scene.moderator), moderator_id)
        assert moderator is not None
        review.decide(db, settings, moderator, publication_id, "release", "")

    assert _side_by_side(sessions, release) == ["409", "ok"]
    with unit_of_work(sessions) as db:
        versions = db.scalar(
            select(func.count()).where(PublicationVersion.publication_id == publication_id)
        )
        assert versions == 1


def test_two_first_saves_at_once_make_one_publication(
    committed: tuple[Settings, sessionmaker[Session]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, sessions = committed
    with unit_of_work(sessions) as db:
        scene = make_scene(db)
        owner_id, vorhaben_id = scene.owner.id, scene.vorhaben.id
    _meet(monkeypatch, service, "_slugs")

    def save(db: Session) -> None:
        owner = db.get(type(scene.owner), owner_id)
        assert owner is not None
        vorhaben = vorhaben_service.get(db, owner, vorhaben_id)
        form = form_of(db, Scene(owner, owner, vorhaben))
        service.save(db, settings, owner, vorhaben_id, form)

    assert _side_by_side(sessions, save) == ["ok", "ok"]
    with unit_of_work(sessions) as db:
        [publication] = db.scalars(select(Publication)).all()
        assert publication.draft_revision == 2
