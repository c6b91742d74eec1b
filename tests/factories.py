"""Factories for test objects; each returns a flushed object with an id."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from app.core.text import fold_words
from app.municipalities.models import (
    Gemeinde,
    Gemeindeverband,
    Kreis,
    Land,
    Level,
    Municipality,
    Regierungsbezirk,
    Region,
)

_keys = itertools.count(1)

KEY_LENGTHS = {
    Level.LAND: 2,
    Level.REGIERUNGSBEZIRK: 3,
    Level.REGION: 4,
    Level.KREIS: 5,
    Level.GEMEINDE: 8,
    Level.GEMEINDEVERBAND: 9,
}
MODEL_FOR_LEVEL: dict[Level, type[Municipality]] = {
    Level.LAND: Land,
    Level.REGIERUNGSBEZIRK: Regierungsbezirk,
    Level.REGION: Region,
    Level.KREIS: Kreis,
    Level.GEMEINDEVERBAND: Gemeindeverband,
    Level.GEMEINDE: Gemeinde,
}


def municipality(
    db: Session,
    name: str = "Musterstadt",
    *,
    level: Level = Level.GEMEINDE,
    land: Municipality | None = None,
    kreis: Municipality | None = None,
    ags: str | None = None,
    population: int | None = 12345,
    kind_code: int | None = 63,
) -> Municipality:
    """A registry entry; a Gemeinde gets a Land and Kreis of its own unless given."""
    if level is Level.GEMEINDE and land is None:
        land = municipality(db, "Testland", level=Level.LAND, kind_code=None)
    if level is Level.GEMEINDE and kreis is None:
        assert land is not None
        kreis = municipality(db, "Landkreis Test", level=Level.KREIS, land=land, kind_code=44)
    if ags is None:
        # Keys start with 9x, which no real Land has, and have each level's length.
        length = KEY_LENGTHS[level]
        ags = ("9" + str(next(_keys)).zfill(length))[-length:]
        ags = "9" + ags[1:]
    entry = MODEL_FOR_LEVEL[level](
        ags=ags,
        name=name,
        name_folded=fold_words(name),
        kind_code=kind_code,
        parent_id=parent.id if (parent := kreis or land) else None,
        land_id=land.id if land else None,
        kreis_id=kreis.id if kreis else None,
        population=population,
        gebietsstand=dt.date(2025, 11, 30),
        active=True,
    )
    db.add(entry)
    db.flush()
    if level is Level.LAND:
        entry.land_id = entry.id
    if level is Level.KREIS:
        entry.kreis_id = entry.id
    db.flush()
    return entry
