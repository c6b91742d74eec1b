"""What every phase of the seed shares: the random source, ids, owners, members, fields."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from app.municipalities.models import Level
from app.seed import dbtools
from app.seed.text import slugify

# Landkreise (and similar) own Vorhaben too, with less weight than their population says:
# much of their digitalisation happens in the Gemeinden.
KREIS_KINDS = {43: "kreis", 44: "landkreis", 45: "regionalverband"}
KREIS_WEIGHT = 0.25
# Large cities have more members and Vorhaben, a little less than in proportion.
POPULATION_EXPONENT = 0.9


@dataclass(frozen=True)
class Owner:
    id: int
    name: str  # short name, "Frankfurt am Main"
    domain: str  # mail domain, "frankfurt-am-main.de"


@dataclass
class Members:
    ids: list[int] = field(default_factory=list)
    municipality: dict[int, int] = field(default_factory=dict)  # account id → owner id
    by_municipality: dict[int, list[int]] = field(default_factory=dict)

    def add(self, account_id: int, municipality_id: int) -> None:
        self.ids.append(account_id)
        self.municipality[account_id] = municipality_id
        self.by_municipality.setdefault(municipality_id, []).append(account_id)


@dataclass
class Context:
    rng: random.Random
    now: dt.datetime
    connection: Connection
    out: Callable[[str], None]
    batch_size: int
    last_ids: dict[str, int]
    owners: list[Owner]
    cum_weights: list[float]
    field_ids: dict[str, int]  # slug → id of active fields of action
    field_labels: dict[int, str]
    members: Members = field(default_factory=Members)

    @property
    def owner_by_id(self) -> dict[int, Owner]:
        return {owner.id: owner for owner in self.owners}

    def next_id(self, table: str) -> int:
        self.last_ids[table] += 1
        return self.last_ids[table]

    def pick_owner(self) -> Owner:
        return self.rng.choices(self.owners, cum_weights=self.cum_weights)[0]

    def moment_within(self, days: float, *, bias: float = 1.0) -> dt.datetime:
        """A time in the last `days` days; bias > 1 favours recent times."""
        age = days * self.rng.random() ** bias
        return self.now - dt.timedelta(days=age)


def _short(name: str) -> str:
    return name.split(",", 1)[0].split("/", 1)[0].strip()


def load_owners(connection: Connection) -> tuple[list[Owner], list[float]]:
    """Active Gemeinden and Kreise with cumulative weights for random.choices."""
    municipalities = dbtools.table("municipalities")
    rows = connection.execute(
        select(
            municipalities.c.id,
            municipalities.c.name,
            municipalities.c.level,
            municipalities.c.population,
            municipalities.c.kind_code,
        )
        .where(
            municipalities.c.active.is_(True),
            municipalities.c.level.in_([Level.GEMEINDE, Level.KREIS]),
        )
        .order_by(municipalities.c.id)
    ).all()
    owners: list[Owner] = []
    cum_weights: list[float] = []
    total = 0.0
    for row in rows:
        population = max(int(row.population or 0), 100)
        weight = float(population) ** POPULATION_EXPONENT
        slug = slugify(_short(row.name)) or f"kommune-{row.id}"
        if Level(row.level) is Level.KREIS:
            prefix = KREIS_KINDS.get(row.kind_code or 0)
            if prefix is None:  # a kreisfreie Stadt: its Gemeinde stands for it
                continue
            weight *= KREIS_WEIGHT
            slug = f"{prefix}-{slug}"
        total += weight
        owners.append(Owner(row.id, _short(row.name), f"{slug}.de"))
        cum_weights.append(total)
    if not owners:
        raise ValueError(
            "no active Gemeinden or Kreise: import the registry first "
            "(allmende municipalities import FILE)"
        )
    return owners, cum_weights


def load_fields(connection: Connection) -> tuple[dict[str, int], dict[int, str]]:
    """Active fields of action: ids by slug, labels by id."""
    fields = dbtools.table("fields_of_action")
    rows = connection.execute(
        select(fields.c.slug, fields.c.id, fields.c.label).where(fields.c.active.is_(True))
    ).all()
    if not rows:
        raise ValueError("no active fields of action: is the database migrated?")
    return {row.slug: row.id for row in rows}, {row.id: row.label for row in rows}
