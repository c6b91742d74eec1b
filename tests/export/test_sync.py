"""A partner following cursors while two writers publish, update and withdraw at the same
time ends with exactly the published set at current versions (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.accounts.models import Account
from app.config import load_settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.export import service, withdrawal
from app.export.forms import PublicationForm
from app.export.models import FeedEntry, Publication
from app.main import create_app
from app.vorhaben.models import Vorhaben
from tests import factories
from tests.conftest import TEST_SECRET

WRITERS = 2
ROUNDS = 12


def test_a_mirror_following_cursors_converges(fresh_database_url: str) -> None:
    settings = load_settings(
        env="test",
        database_url=fresh_database_url,
        secret_key=TEST_SECRET,
        base_url="http://testserver",
        publication_review=False,
        # The mirror polls as fast as it can while the writers run; on a loaded machine
        # that passed 120 requests a minute and met the rate limit, which is not tested here.
        feed_rate_limit_per_address=100_000,
    )
    engine = make_engine(fresh_database_url)
    sessions = make_session_factory(engine)
    owners: list[int] = []
    vorhaben_ids: list[list[int]] = []
    with unit_of_work(sessions) as db:
        for writer in range(WRITERS):
            owner = factories.account(db, f"Writer {writer}")
            owners.append(owner.id)
            vorhaben_ids.append(
                [
                    factories.vorhaben(db, owner, f"V{writer}-{n}", settings=settings).id
                    for n in range(4)
                ]
            )
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        rng = random.Random(writer)  # noqa: S311 - reproducible test choices
        try:
            for round_number in range(ROUNDS):
                with unit_of_work(sessions) as db:
                    owner = db.get(Account, owners[writer])
                    assert owner is not None
                    target = rng.choice(vorhaben_ids[writer])
                    publication = service.of_vorhaben(db, target)
                    if publication is not None and publication.live and rng.random() < 0.3:
                        withdrawal.withdraw_by_owner(db, settings, owner, target)
                    else:
                        form = PublicationForm(
                            title=f"V{writer} round {round_number}", stage="pilot"
                        )
                        service.submit(db, settings, owner, target, form)
        except BaseException as error:  # surfaced below
            failures.append(error)

    app = create_app(settings, engine=engine)
    mirror: dict[str, dict[str, object]] = {}
    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    with TestClient(app) as client:
        cursor = None
        for thread in threads:
            thread.start()

        def poll() -> None:
            nonlocal cursor
            while True:
                params = {"limit": "3", **({"since": cursor} if cursor else {})}
                body = client.get("/api/v1/projects", params=params).json()
                for item in body["items"]:
                    mirror[item["id"]] = item
                cursor = body["next_cursor"]
                if not body["has_more"]:
                    return

        while any(thread.is_alive() for thread in threads):
            poll()
        for thread in threads:
            thread.join()
        poll()
    assert not failures, failures

    with sessions() as db:
        live = {
            row.id: row.released_version
            for row in db.scalars(select(Publication).where(Publication.live.is_(True)))
        }
        entries = {row.publication_id: row.item for row in db.scalars(select(FeedEntry))}
        assert db.scalars(select(Vorhaben)).all()
    mirrored_live = {key: item["version"] for key, item in mirror.items() if not item["deleted"]}
    assert mirrored_live == live
    assert {key for key, item in mirror.items() if item["deleted"]} == {
        key for key, item in entries.items() if item["deleted"]
    }
    engine.dispose()
