"""Test infrastructure: both databases, migrated once per worker, one rolled-back
transaction per test, an httpx client against the app.

Every test that touches the database runs on SQLite and, when ALLMENDE_TEST_POSTGRES_URL
is set (CI sets it), on PostgreSQL too. Modules marked `commits` run each such test a
second time on a database that commits for real (tests/committing.py): the same `db`,
`client`, `app` and `engine` fixtures, with production's transactions behind them.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from app import migrate, wiring
from app.config import Settings, load_settings
from app.core import clock
from app.db import make_engine, make_session_factory
from app.main import create_app
from tests.committing import COMMIT, ROLLBACK, Cleaner, CommitsTestSession
from tests.publishing import Scene, make_scene

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
# The full registry (16,000 records) is not in the repository; its tests skip without it.
GV100AD_FILE = Path(
    os.environ.get("ALLMENDE_TEST_GV100AD_FILE")
    or SHARED / "data" / "destatis" / "GV100AD_30112025.txt"
)
NO_FULL_GV100AD = (
    f"the full GV100AD file is not at {GV100AD_FILE} (set ALLMENDE_TEST_GV100AD_FILE); "
    "tests/data/gv100ad_excerpt.txt covers every level"
)
# 41 records of it, cut unchanged (tests/data/README.md): every level and its edge cases.
GV100AD_EXCERPT = Path(__file__).resolve().parent / "data" / "gv100ad_excerpt.txt"
POSTGRES_URL = os.environ.get("ALLMENDE_TEST_POSTGRES_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
_RUN_ID = uuid.uuid4().hex

# Service-level tests take the reactions production takes (create_app wires them too).
wiring.wire()


def _postgres_admin_url() -> str:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database="postgres").render_as_string(hide_password=False)


def create_database(kind: str, name: str, tmp_dir: Path, *, migrate_it: bool = True) -> str:
    """A new database of the given kind, migrated unless told not to; returns its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir / (name + '.db')}"
    else:
        admin = make_engine(_postgres_admin_url()).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        assert POSTGRES_URL is not None
        url = (
            make_url(POSTGRES_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    if migrate_it:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
    return url


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = make_engine(_postgres_admin_url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    """Names this test process's databases: its xdist worker plus the run, so two test runs
    on one PostgreSQL server (two developers, CI beside a session) never drop each other's."""
    workerinput = getattr(request.config, "workerinput", {})
    run = str(workerinput.get("testrunuid") or _RUN_ID)[:8]
    return f"{workerinput.get('workerid', 'main')}_{run}"


@pytest.fixture(scope="session", params=DATABASES)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id_safe: str
) -> Iterator[str]:
    """One migrated database per kind and test worker, for the whole session."""
    kind = request.param
    url = create_database(kind, f"allmende_test_{worker_id_safe}", tmp_path_factory.mktemp(kind))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def rollback_engine(database_url: str) -> Iterator[Engine]:
    """The engine of the database whose tests roll back."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def committing_database(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, worker_id_safe: str
) -> Iterator[Cleaner]:
    """A second migrated database per kind and test worker, for tests that commit."""
    kind = make_url(database_url).get_backend_name()
    url = create_database(
        kind, f"allmende_commit_{worker_id_safe}", tmp_path_factory.mktemp(f"{kind}-commit")
    )
    engine = make_engine(url)
    yield Cleaner(engine)
    engine.dispose()
    drop_database(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `commits` run rolled back and committing (`commits(only=True)`: only
    committing), when they use the database fixtures."""
    marker = metafunc.definition.get_closest_marker("commits")
    if marker is None or "transaction_mode" not in metafunc.fixturenames:
        return
    modes = [COMMIT] if marker.kwargs.get("only") else [ROLLBACK, COMMIT]
    metafunc.parametrize("transaction_mode", modes, indirect=True)


@pytest.fixture
def transaction_mode(request: pytest.FixtureRequest) -> str:
    """ROLLBACK (one outer transaction, rolled back after the test) or COMMIT (real commits
    on the committing database, emptied after the test); see tests/committing.py."""
    mode: str = getattr(request, "param", ROLLBACK)
    return mode


@pytest.fixture
def engine(
    request: pytest.FixtureRequest, database_url: str, transaction_mode: str
) -> Iterator[Engine]:
    """The test's engine; in the committing mode its database is emptied after the test.
    (database_url is named so that pytest parametrizes the test by database kind.)"""
    if transaction_mode == ROLLBACK:
        yield request.getfixturevalue("rollback_engine")
        return
    cleaner: Cleaner = request.getfixturevalue("committing_database")
    yield cleaner.engine
    cleaner.clean()


@pytest.fixture
def connection(engine: Engine, transaction_mode: str) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test (committing mode:
    a plain connection, what it commits stays until the database is emptied)."""
    connection = engine.connect()
    if transaction_mode == COMMIT:
        yield connection
        connection.close()
        return
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session_factory(
    request: pytest.FixtureRequest, engine: Engine, transaction_mode: str
) -> sessionmaker[Session]:
    """Sessions that commit into savepoints of the test's transaction (committing mode: the
    app's own sessions, each on its own connection, committing for real)."""
    if transaction_mode == COMMIT:
        return make_session_factory(engine)
    connection: Connection = request.getfixturevalue("connection")
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def settings(engine: Engine, settings_overrides: dict[str, object]) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": engine.url.render_as_string(hide_password=False),
        "secret_key": TEST_SECRET,
        "base_url": "http://testserver",
        **settings_overrides,
    }
    return load_settings(**values)


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    settings: Settings,
    engine: Engine,
    session_factory: sessionmaker[Session],
    transaction_mode: str,
) -> FastAPI:
    app = create_app(settings, engine=engine, session_factory=session_factory)
    if transaction_mode == COMMIT:
        app.add_middleware(CommitsTestSession, session=request.getfixturevalue("db"))
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.reset()


@pytest.fixture
def start_of_a_minute() -> None:
    """Rate counters count per calendar minute (app.web.ratelimit): the test's clock starts
    just after a minute begins, so no window ends amid its requests (a run whose requests
    crossed a minute's end was let through where it counted on a refusal)."""
    now = clock.utcnow()
    clock.travel(now.replace(second=0, microsecond=0) + dt.timedelta(seconds=61) - now)


@pytest.fixture
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, worker_id_safe: str, database_url: str
) -> Iterator[str]:
    """A new migrated database that commits for real (CLI and concurrency tests)."""
    kind = make_url(database_url).get_backend_name()
    name = f"allmende_fresh_{worker_id_safe}"
    url = create_database("sqlite" if kind == "sqlite" else "postgresql", name, tmp_path)
    yield url
    drop_database(url)


@dataclass
class Process:
    """One app process: its own engine (so its own connections) on a database that commits
    for real (fixture `processes`: two of them, as two workers or app instances)."""

    engine: Engine
    sessions: sessionmaker[Session]
    app: FastAPI


@pytest.fixture
def committed_settings(fresh_database_url: str) -> Settings:
    """Settings for apps on fresh_database_url."""
    return load_settings(
        env="test",
        database_url=fresh_database_url,
        secret_key=TEST_SECRET,
        base_url="http://testserver",
    )


@pytest.fixture
def processes(committed_settings: Settings) -> Iterator[tuple[Process, Process]]:
    made = []
    for _ in range(2):
        engine = make_engine(committed_settings.database_url)
        factory = make_session_factory(engine)
        made.append(Process(engine, factory, create_app(committed_settings, engine=engine)))
    yield made[0], made[1]
    for process in made:
        process.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no ALLMENDE_* settings from the shell that started them."""
    for name in list(os.environ):
        if name.startswith("ALLMENDE_") and name != "ALLMENDE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def scene(db: Session) -> Scene:
    """An owner, a moderator and a Vorhaben ready to be published."""
    return make_scene(db)
