"""`allmende demo` (what `make run` runs): migrate, load demo data, ready to serve."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from app import demo_content, migrate
from app.auth import dev
from app.config import Settings
from app.db import make_session_factory, unit_of_work
from app.municipalities import commands as municipality_commands

DEMO_REGISTRY = Path(__file__).parent / "municipalities" / "demo_gv100ad.txt"


def prepare(
    settings: Settings, engine: Engine, out: Callable[[str], None], *, registry: str | None
) -> None:
    """Bring the database to head and fill it with demo content (idempotent)."""
    migrate.upgrade(engine)
    out("database migrated")
    if registry:
        municipality_commands.import_file(Path(registry), engine, out)
    else:
        municipality_commands.import_file(DEMO_REGISTRY, engine, out, deactivate_missing=False)
    with unit_of_work(make_session_factory(engine)) as db:
        personas = dev.seed_personas(db)
        created = demo_content.load(db, settings)
    out(f"{len(personas)} demo personas ready (sign in at {settings.base_url}/dev/login)")
    if created:
        out(f"{created} demo Vorhaben with comments and signals loaded")
