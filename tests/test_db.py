"""The engine's connection settings (app.db.make_engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from app.db import SQLITE_CACHE_KIB


def test_postgresql_connections_do_not_jit_compile(engine: Engine) -> None:
    # The search's capped counts and the similar-Vorhaben lookups pass jit_above_cost at
    # 100,000 Vorhaben; compiling them cost more than running them (docs/search.md).
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW jit")) == "off"


def test_sqlite_connections_keep_a_small_page_cache(engine: Engine) -> None:
    # Up to 15 connections per worker, each with SQLite's default 2 MiB cache, were about
    # 20 MB of a worker's memory (app.db.SQLITE_CACHE_KIB; docs/operations.md, "Speicher").
    if engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA cache_size")) == -SQLITE_CACHE_KIB
