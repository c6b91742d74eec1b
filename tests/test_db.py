"""The engine's connection settings (app.db.make_engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text


def test_postgresql_connections_do_not_jit_compile(engine: Engine) -> None:
    # The search's capped counts and the similar-Vorhaben lookups pass jit_above_cost at
    # 100,000 Vorhaben; compiling them cost more than running them (docs/search.md).
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW jit")) == "off"
