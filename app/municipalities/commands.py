"""CLI side of the registry: import a GV100AD file in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from app.core.errors import CommandError
from app.db import make_session_factory, unit_of_work
from app.migrate import require_migrated
from app.municipalities import gv100ad, service
from app.municipalities.models import Level


def import_file(
    path: Path,
    engine: Engine,
    out: Callable[[str], None],
    *,
    deactivate_missing: bool = True,
) -> int:
    """Parse the whole file first, then import it; print per-level and total counts."""
    try:
        records = gv100ad.read_file(path)
    except gv100ad.GV100ADError as error:
        raise CommandError(f"{path}: {error}") from None
    require_migrated(engine)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            result = service.import_registry(
                session, records, deactivate_missing=deactivate_missing
            )
    except gv100ad.GV100ADError as error:
        raise CommandError(f"{path}: {error}") from None
    out(f"Gebietsstand {result.gebietsstand.isoformat()}")
    for level in service.IMPORT_ORDER:
        counts = result.levels.get(level)
        if counts is not None:
            out(f"{Level(level).label}: {counts.line()}")
    if not result.changed_anything:
        out("nothing changed: the registry already matches this file")
    out(result.total.line())
    return 0
