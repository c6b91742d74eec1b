"""The municipality registry: idempotent GV100AD import and lookups."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from app.core.clock import utcnow
from app.core.text import fold_words
from app.municipalities.gv100ad import GV100ADError, Record
from app.municipalities.models import (
    MEMBER_LEVELS,
    NAME_FOLDED_MAX,
    REGISTRY_LEVELS,
    Level,
    Municipality,
)

TABLE: Table = Municipality.__table__  # type: ignore[assignment]

# Columns an import compares; a difference in any of them makes the row "updated".
COMPARED = (
    "name",
    "name_folded",
    "seat",
    "kind_code",
    "parent_id",
    "land_id",
    "kreis_id",
    "ars",
    "area_ha",
    "population",
    "postcode",
    "postcode_unique",
    "active",
)

IMPORT_ORDER = REGISTRY_LEVELS


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deactivated += other.deactivated

    def line(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"unchanged={self.unchanged} deactivated={self.deactivated}"
        )


@dataclass
class ImportResult:
    gebietsstand: dt.date
    levels: dict[Level, Counts] = field(default_factory=dict)

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.levels.values():
            total.add(counts)
        return total

    @property
    def changed_anything(self) -> bool:
        total = self.total
        return bool(total.created or total.updated or total.deactivated)


def _aggregates(records: Sequence[Record]) -> dict[str, tuple[int, int]]:
    """Population and area of every higher unit, summed over its Gemeinden."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        if record.level is not Level.GEMEINDE:
            continue
        population, area = record.population or 0, record.area_ha or 0
        verband = (record.ars or "")[:9]
        for key in {record.ags[:2], record.ags[:3], record.ags[:5], verband}:
            sums[key][0] += population
            sums[key][1] += area
    return {key: (value[0], value[1]) for key, value in sums.items()}


def import_registry(
    session: Session, records: Sequence[Record], *, deactivate_missing: bool = True
) -> ImportResult:
    """Create, update and deactivate registry rows so they match the file's records.

    With deactivate_missing=False (the demo set), entries absent from the file stay as they
    are, so loading the demo set never hides a full registry imported before.
    """
    seen: dict[str, int] = {}
    for record in records:
        if record.ags in seen:
            raise GV100ADError(
                f"key {record.ags} appears twice (first on line {seen[record.ags]})",
                record.line_number,
            )
        seen[record.ags] = record.line_number

    existing = {
        row["ags"]: row
        for row in session.execute(
            select(
                TABLE.c.id,
                TABLE.c.ags,
                TABLE.c.level,
                TABLE.c.gebietsstand,
                *(TABLE.c[column] for column in COMPARED),
            )
            # Only the registry: the organisations moderators keep are no part of the file
            # and are never updated or deactivated by an import.
            .where(TABLE.c.level.in_([level.value for level in REGISTRY_LEVELS]))
        ).mappings()
    }
    ids = {ags: row["id"] for ags, row in existing.items()}
    aggregates = _aggregates(records)
    now = utcnow()
    result = ImportResult(gebietsstand=max(record.gebietsstand for record in records))
    by_level: dict[Level, list[Record]] = defaultdict(list)
    for record in records:
        by_level[record.level].append(record)

    for level in IMPORT_ORDER:
        counts = Counts()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        restamps: list[dict[str, Any]] = []
        for record in by_level[level]:
            values = _row_values(record, ids, aggregates)
            current = existing.get(record.ags)
            if current is None:
                inserts.append(
                    {
                        **values,
                        "ags": record.ags,
                        "level": level.value,
                        "gebietsstand": record.gebietsstand,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                counts.created += 1
                continue
            if current["level"] != level:
                raise GV100ADError(
                    f"key {record.ags} is a {current['level']} in the registry "
                    f"but a {level.value} in the file",
                    record.line_number,
                )
            if any(values[column] != current[column] for column in COMPARED):
                updates.append(
                    {
                        **values,
                        "_id": current["id"],
                        "gebietsstand": record.gebietsstand,
                        "updated_at": now,
                    }
                )
                counts.updated += 1
            else:
                # Same content from a newer file: only the Gebietsstand moves on.
                counts.unchanged += 1
                if current["gebietsstand"] != record.gebietsstand:
                    restamps.append({"_id": current["id"], "gebietsstand": record.gebietsstand})
        if inserts:
            session.execute(insert(TABLE), inserts)
            for ags, new_id in session.execute(
                select(TABLE.c.ags, TABLE.c.id).where(TABLE.c.level == level.value)
            ):
                ids[ags] = new_id
            _point_at_self(session, level)
        for batch in (updates, restamps):
            if batch:
                session.execute(update(TABLE).where(TABLE.c.id == bindparam("_id")), batch)
        result.levels[level] = counts

    gone = [
        row
        for ags, row in existing.items()
        if deactivate_missing and ags not in seen and row["active"]
    ]
    if gone:
        session.execute(
            update(TABLE).where(TABLE.c.id == bindparam("_id")),
            [{"_id": row["id"], "active": False, "updated_at": now} for row in gone],
        )
        for row in gone:
            result.levels.setdefault(Level(row["level"]), Counts()).deactivated += 1
    session.flush()
    session.expire_all()  # bulk statements bypass the identity map
    return result


def _row_values(
    record: Record, ids: dict[str, int], aggregates: dict[str, tuple[int, int]]
) -> dict[str, Any]:
    parent_id = None
    for key in record.parent_keys:
        if key in ids:
            parent_id = ids[key]
            break
    if record.parent_keys and parent_id is None:
        raise GV100ADError(
            f"{record.level.label} {record.ags} has no parent in the file "
            f"(looked for {', '.join(record.parent_keys)})",
            record.line_number,
        )
    land_id = ids.get(record.ags[:2])
    kreis_id = None
    if record.level in (Level.KREIS, Level.GEMEINDEVERBAND, Level.GEMEINDE):
        kreis_id = ids.get(record.ags[:5])
    aggregate_key = record.ags
    population, area = record.population, record.area_ha
    if record.level is not Level.GEMEINDE and aggregate_key in aggregates:
        population, area = aggregates[aggregate_key]
    return {
        "name": record.name,
        "name_folded": fold_words(record.name)[:NAME_FOLDED_MAX],
        "seat": record.seat,
        "kind_code": record.kind_code,
        "parent_id": parent_id,
        "land_id": land_id,
        "kreis_id": kreis_id,
        "ars": record.ars,
        "area_ha": area,
        "population": population,
        "postcode": record.postcode,
        "postcode_unique": record.postcode_unique,
        "active": True,
    }


def _point_at_self(session: Session, level: Level) -> None:
    """A new Land is its own land_id, a new Kreis its own kreis_id: one filter fits all."""
    if level is Level.LAND:
        session.execute(
            update(TABLE)
            .where(TABLE.c.level == level.value, TABLE.c.land_id.is_(None))
            .values(land_id=TABLE.c.id)
        )
    elif level is Level.KREIS:
        session.execute(
            update(TABLE)
            .where(TABLE.c.level == level.value, TABLE.c.kreis_id.is_(None))
            .values(kreis_id=TABLE.c.id)
        )


def get_by_ags(session: Session, ags: str) -> Municipality | None:
    """The registry entry with this key, with its Land and Kreis loaded."""
    return session.scalars(
        select(Municipality)
        .where(Municipality.ags == ags.strip())
        .options(joinedload(Municipality.land), joinedload(Municipality.kreis))
    ).one_or_none()


def get(session: Session, municipality_id: int) -> Municipality | None:
    """The registry entry with this id, with its Land and Kreis loaded."""
    return session.scalars(
        select(Municipality)
        .where(Municipality.id == municipality_id)
        .options(joinedload(Municipality.land), joinedload(Municipality.kreis))
    ).one_or_none()


def laender(session: Session) -> list[tuple[int, str]]:
    """Every Land as (id, name), in key order (a filter of the application queue)."""
    rows = session.execute(
        select(Municipality.id, Municipality.name)
        .where(Municipality.level == Level.LAND)
        .order_by(Municipality.ags)
    )
    return [(row.id, row.name) for row in rows]


def display_names(session: Session, keys: set[str]) -> dict[str, str]:
    """The shown name of each registry entry with one of these keys (AGS)."""
    return {
        row.ags: row.display_name
        for row in session.scalars(select(Municipality).where(Municipality.ags.in_(keys)))
    }


def _selectable() -> Any:
    """Entries a member can name as their own: no statistical units and no duplicates.

    A kreisfreie Stadt appears in the file as Kreis, Gemeindeverband and Gemeinde; a
    verbandsfreie Gemeinde as Gemeindeverband and Gemeinde. Members pick the Gemeinde.
    """
    return (
        Municipality.active.is_(True),
        Municipality.level.in_(MEMBER_LEVELS),
        or_(Municipality.kind_code.is_(None), Municipality.kind_code.not_in((41, 42, 50))),
    )


def search(session: Session, query: str, *, limit: int = 20) -> list[Municipality]:
    """Municipalities a member can choose, by name or by key, best matches first."""
    text = query.strip()
    if not text:
        return []
    statement = (
        select(Municipality)
        .where(*_selectable())
        .options(joinedload(Municipality.land), joinedload(Municipality.kreis))
        .limit(limit)
    )
    if text.isascii() and text.isdigit():
        statement = statement.where(Municipality.ags.startswith(text)).order_by(
            func.length(Municipality.ags), Municipality.ags
        )
    else:
        words = fold_words(text).split()
        if not words:
            return []
        for word in words:
            statement = statement.where(Municipality.name_folded.contains(word, autoescape=True))
        # Names that start with the first word come first, the larger places before the
        # smaller (the city München before the Landkreis München, before Münchenbernsdorf).
        starts = Municipality.name_folded.startswith(words[0], autoescape=True)
        statement = statement.order_by(
            case((starts, 0), else_=1),
            Municipality.population.desc().nulls_last(),
            Municipality.name,
        )
    return list(session.scalars(statement).unique())


def counts_by_level(session: Session) -> dict[Level, int]:
    """How many active entries each level holds."""
    rows = session.execute(
        select(Municipality.level, func.count())
        .where(Municipality.active.is_(True))
        .group_by(Municipality.level)
    )
    return {Level(level): count for level, count in rows}


def is_selectable(municipality: Municipality) -> bool:
    """Whether a member may name this entry as their municipality."""
    return (
        municipality.active
        and municipality.level in MEMBER_LEVELS
        and municipality.kind_code not in (41, 42, 50)
    )
