"""seed(): members, then Vorhaben, then comments, then the search index in one go."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.core.clock import utcnow
from app.seed import dbtools, pools
from app.seed.context import Context, load_fields, load_owners
from app.seed.discussion import seed_comments
from app.seed.members import seed_members
from app.seed.projects import seed_vorhaben


@dataclass
class SeedResult:
    members: int = 0
    interests: int = 0
    vorhaben: int = 0
    tags: int = 0
    fields: int = 0
    follows: int = 0
    signals: int = 0
    comments: int = 0
    replies: int = 0
    search_entries: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # phase → seconds

    def line(self) -> str:
        phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.phases.items())
        return (
            f"seeded {self.members:,} members, {self.vorhaben:,} Vorhaben, "
            f"{self.comments:,} comments ({self.replies:,} replies), {self.signals:,} signals, "
            f"{self.search_entries:,} search entries in {self.seconds:.1f} s ({phases})"
        )


def seed(
    engine: Engine,
    *,
    members: int,
    vorhaben: int,
    comments: int,
    out: Callable[[str], None],
    seed_value: int = 42,
    now: dt.datetime | None = None,
    batch_size: int = 10_000,
) -> SeedResult:
    """Fill a migrated database that holds the registry with realistic content.

    Deterministic for a seed_value, a database state and `now` (default: the start of the
    current UTC day; content is spread over the years before it). Runs again on top of
    earlier content: ids continue after the largest existing ones.
    """
    started = time.perf_counter()
    rng = random.Random(seed_value)  # noqa: S311 - sample data, not secrets
    moment = now or utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    result = SeedResult()

    def phase(name: str, since: float) -> float:
        now_counter = time.perf_counter()
        result.phases[name] = now_counter - since
        out(f"{name}: {now_counter - since:.1f} s")
        return now_counter

    with engine.connect() as connection:
        dbtools.tune(connection)
        owners, cum_weights = load_owners(connection)
        field_ids, field_labels = load_fields(connection)
        ctx = Context(
            rng=rng,
            now=moment,
            connection=connection,
            out=out,
            batch_size=batch_size,
            last_ids=dbtools.max_ids(connection),
            owners=owners,
            cum_weights=cum_weights,
            field_ids=field_ids,
            field_labels=field_labels,
        )
        out(f"seeding into {len(owners):,} Gemeinden and Kreise (seed {seed_value})")
        mark = time.perf_counter()
        text_pools = pools.build(
            rng,
            descriptions=min(2000, max(60, vorhaben // 2)),
            comments=min(4000, max(120, comments // 5)),
            year=moment.year,
        )
        mark = phase("text pools", mark)
        counts = seed_members(ctx, members)
        result.members, result.interests = counts["accounts"], counts["account_interests"]
        mark = phase("members", mark)
        dbtools.suspend_search_index(connection)
        try:
            planned, counts = seed_vorhaben(ctx, text_pools, vorhaben, comments)
            result.vorhaben, result.tags = counts["vorhaben"], counts["vorhaben_tags"]
            result.fields, result.follows = counts["vorhaben_fields"], counts["follows"]
            result.signals, result.search_entries = counts["signals"], counts["search_entries"]
            mark = phase("vorhaben", mark)
            counts = seed_comments(ctx, text_pools, planned)
            result.comments, result.replies = counts["comments"], counts["replies"]
            result.search_entries += counts["search_entries"]
            mark = phase("comments", mark)
        finally:
            connection.rollback()
            dbtools.restore_search_index(connection)
            mark = phase("search index", mark)
        dbtools.finish(connection)
        phase("sequences and statistics", mark)
    result.seconds = time.perf_counter() - started
    out(result.line())
    return result
