"""Test infrastructure: both databases, migrated once per worker, one rolled-back
transaction per test, an httpx client against the app.

Every test that touches the database runs on SQLite and, when ALLMENDE_TEST_POSTGRES_URL
is set (CI sets it), on PostgreSQL too.
"""

from __future__ import annotations

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

from app import migrate
from app.config import Settings, load_settings
from app.core import clock
from app.db import make_engine, make_session_factory
from app.main import create_app
from tests.publishing import Scene, make_scene

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
GV100AD_FILE = SHARED / "data" / "destatis" / "GV100AD_30112025.txt"
POSTGRES_URL = os.environ.get("ALLMENDE_TEST_POSTGRES_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
_RUN_ID = uuid.uuid4().hex


def _postgres_admin_url() -> str:
    assert POSTGRES_URL is not None
    return make_url(POSTGRES_URL).set(database="postgres").render_as_string(hide_password=False)


def create_database(kind: str, name: str, tmp_dir: Path) -> str:
    """A new, migrated database of the given kind; returns its URL."""
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
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions that commit into savepoints of the test's transaction."""
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
def settings(database_url: str, settings_overrides: dict[str, object]) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "base_url": "http://testserver",
        **settings_overrides,
    }
    return load_settings(**values)


@pytest.fixture
def app(settings: Settings, engine: Engine, session_factory: sessionmaker[Session]) -> FastAPI:
    return create_app(settings, engine=engine, session_factory=session_factory)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.reset()


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
