"""`allmende seed`: generated content that the application itself accepts, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.cli import main
from app.db import make_engine, make_session_factory, unit_of_work
from app.demo import DEMO_REGISTRY
from app.export import schemas
from app.export.models import FeedCounter, FeedEntry, Publication, PublicationVersion
from app.search.analyzer import DEFAULT_ANALYZER
from app.search.index import joined
from app.search.models import EntryKind, SearchEntry
from app.search.query import search
from app.vorhaben.models import Visibility, Vorhaben
from app.vorhaben.repository import VorhabenFilter


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def registry_loaded(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    assert _run(["municipalities", "import", str(DEMO_REGISTRY)], capsys)[0] == 0
    return fresh_database_url


def test_seed_fills_members_vorhaben_comments_and_the_feed(
    registry_loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["seed", "--members", "30", "--vorhaben", "60", "--comments", "300"]
    code, out, err = _run([*argv, "--published", "20"], capsys)
    assert code == 0, err
    assert "published 20 projects" in out
    engine = make_engine(registry_loaded)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            assert db.scalar(select(func.count()).select_from(Account)) == 30
            assert db.scalar(select(func.count()).select_from(Vorhaben)) == 60
            counted = db.scalar(select(func.sum(Vorhaben.comment_count)))
            assert counted == 300
            entries = list(db.scalars(select(FeedEntry).order_by(FeedEntry.seq)))
            assert [entry.seq for entry in entries] == list(range(1, 21))
            assert db.get(FeedCounter, 1).value == 20  # type: ignore[union-attr]
            modified = [entry.modified_at for entry in entries]
            assert modified == sorted(modified)
            for entry in entries:
                item = schemas.ProjectItem.model_validate(entry.item)
                publication = db.get(Publication, item.id)
                assert publication is not None and publication.live
                vorhaben = db.get(Vorhaben, publication.vorhaben_id)
                assert vorhaben is not None and vorhaben.visibility is Visibility.MEMBERS
                assert item.title == vorhaben.title
            assert db.scalar(select(func.count()).select_from(PublicationVersion)) == 20
        # A second run adds on top: new ids, later feed positions, later change times.
        code, _out, err = _run([*argv, "--published", "5"], capsys)
        assert code == 0, err
        with unit_of_work(make_session_factory(engine)) as db:
            assert db.scalar(select(func.count()).select_from(Vorhaben)) == 120
            entries = list(db.scalars(select(FeedEntry).order_by(FeedEntry.seq)))
            assert len(entries) == 25
            modified = [entry.modified_at for entry in entries]
            assert modified == sorted(modified)
            _assert_searchable(db)
    finally:
        engine.dispose()


def _assert_searchable(db: Session) -> None:
    """Both runs' Vorhaben are in the search index, and it follows changes again."""
    reader = db.scalars(select(Account).where(Account.state == AccountState.APPROVED)).first()
    assert reader is not None
    open_to_all = select(Vorhaben).where(Vorhaben.visibility == Visibility.MEMBERS)
    for vorhaben in (
        db.scalars(open_to_all.order_by(Vorhaben.id)).first(),
        db.scalars(open_to_all.order_by(Vorhaben.id.desc())).first(),
    ):
        assert vorhaben is not None
        found = search(db, reader, vorhaben.title, VorhabenFilter(), per_page=500)
        assert vorhaben.id in {hit.id for hit in found.vorhaben}
    # The triggers are back: a changed entry is found by its new words at once.
    first = db.scalars(open_to_all.order_by(Vorhaben.id)).first()
    assert first is not None
    entry = db.scalars(
        select(SearchEntry).where(
            SearchEntry.kind == EntryKind.VORHABEN, SearchEntry.ref_id == first.id
        )
    ).one()
    entry.tokens_a = joined(DEFAULT_ANALYZER, "Zaunkönigzählung im Stadtpark")
    db.flush()
    found = search(db, reader, "Zaunkönigzählung", VorhabenFilter())
    assert [hit.id for hit in found.vorhaben] == [first.id]


def test_seed_needs_the_registry(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    code, _out, err = _run(["seed", "--members", "1", "--vorhaben", "1", "--comments", "0"], capsys)
    assert code == 1
    assert "import the municipality registry first" in err


def test_seed_refuses_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("ALLMENDE_ENV", "production")
    monkeypatch.setenv("ALLMENDE_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ALLMENDE_BASE_URL", "https://allmende.example")
    code, _out, err = _run(["seed", "--members", "1", "--vorhaben", "1", "--comments", "0"], capsys)
    assert code == 1
    assert "refuses a production database" in err
