"""Benchmark of the search alone: latency per query, index size, index build time.

    .venv/bin/python bench/search.py --db sqlite|postgresql [--quick]
        [--members 50000 --vorhaben 100000 --comments 1000000] [--skip-seed] [--rounds 5]
        [--name allmende_bench_search]

Seeds its own database (app.seed; names of its own, so it never replaces another
benchmark's), then calls the search service in-process as one signed-in member, one
session per query like a request: 30 common municipal terms and 30 two-word combinations,
`--rounds` times each after a warm-up round. Reports p50/p95 per group, the size of the
search structures, and how long building the index from the stored rows takes (the
seed's bulk step: FTS5 fill or GIN build) and a full reindex from the content (analysis
included, app.search.bulk.reindex). See docs/search.md for the last numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, select, text

from app.accounts.models import Account
from app.db import make_engine, make_session_factory
from app.search import bulk, query
from app.seed import dbtools
from app.vorhaben.repository import VorhabenFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import exchange
from bench import harness as load

TERMS = [
    "strategie",
    "digitalisierung",
    "bürgerportal",
    "onlinezugangsgesetz",
    "ozg",
    "e-akte",
    "schule",
    "kita",
    "breitband",
    "glasfaser",
    "radweg",
    "parken",
    "abfall",
    "müll",
    "wlan",
    "sensor",
    "klimaschutz",
    "energie",
    "verkehr",
    "bürgerbeteiligung",
    "daten",
    "plattform",
    "app",
    "verwaltung",
    "dokumentenmanagement",
    "ki",
    "it",
    "bauantrag",
    "formular",
    "schulen",
]
PAIRS = [
    "digitalisierung schule",
    "bürgerportal app",
    "open data",
    "smart city",
    "radweg sensor",
    "müll app",
    "e-akte verwaltung",
    "ozg umsetzung",
    "klimaschutz energie",
    "breitband ausbau",
    "kita anmeldung",
    "parken sensor",
    "bürgerbeteiligung plattform",
    "wlan schule",
    "glasfaser ausbau",
    "ki verwaltung",
    "strategie digital",
    "bauantrag online",
    "formular online",
    "verkehr daten",
    "abfall kalender",
    "energie monitoring",
    "plattform daten",
    "app termine",
    "verwaltung digital",
    "schule tablets",
    "sensor daten",
    "dokumentenmanagement einführung",
    "bürgerportal formular",
    "klimaschutz konzept",
]


def out(line: str) -> None:
    print(line, flush=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def member_id(engine: Engine) -> int:
    """An approved member of a municipality that has Vorhaben (as bench/exchange.py)."""
    with engine.connect() as connection:
        found = connection.scalar(
            text(
                "SELECT a.id FROM accounts a WHERE a.state = 'approved' AND EXISTS "
                "(SELECT 1 FROM vorhaben v WHERE v.municipality_id = a.municipality_id) "
                "ORDER BY a.id LIMIT 1"
            )
        )
    assert found is not None, "no member to search as"
    return int(found)


def latencies(
    engine: Engine, account_id: int, queries: list[str], rounds: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds per search (the CPU time does not
    count a PostgreSQL server's work, but neither the waits of a shared machine)."""
    factory = make_session_factory(engine)
    timings: list[float] = []
    cpu: list[float] = []
    for round_number in range(rounds + 1):
        for q in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            with factory() as db:
                reader = db.scalars(select(Account).where(Account.id == account_id)).one()
                query.search(db, reader, q, VorhabenFilter())
            if round_number:  # the first round warms caches and is not counted
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
    return timings, cpu


def totals(engine: Engine, account_id: int, queries: list[str]) -> dict[str, int]:
    factory = make_session_factory(engine)
    found = {}
    with factory() as db:
        reader = db.scalars(select(Account).where(Account.id == account_id)).one()
        for q in queries:
            found[q] = query.search(db, reader, q, VorhabenFilter()).total
    return found


def index_size(connection: Connection) -> dict[str, int]:
    """Bytes of the search structures (table, its indexes, FTS5 shadow tables)."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text(
                "SELECT name, sum(pgsize) AS size FROM dbstat WHERE name LIKE 'search%' "
                "OR name LIKE '%search_entries%' GROUP BY name ORDER BY name"
            )
        )
        return {row.name: int(row.size) for row in rows}
    rows = connection.execute(
        text(
            "SELECT c.relname AS name, pg_relation_size(c.oid) AS size FROM pg_class c "
            "WHERE c.relname LIKE '%search_entries%' OR c.oid IN (SELECT reltoastrelid "
            "FROM pg_class WHERE relname = 'search_entries') ORDER BY c.relname"
        )
    )
    return {row.name: int(row.size) for row in rows}


def rebuild_seconds(engine: Engine) -> float:
    """The seed's bulk step: drop the per-row machinery, build the index from the rows."""
    with engine.connect() as connection:
        started = time.perf_counter()
        dbtools.suspend_search_index(connection)
        dbtools.restore_search_index(connection)
        return time.perf_counter() - started


def reindex_seconds(engine: Engine) -> float:
    """A full reindex from the content: every entry analyzed again, then the index built."""
    with engine.connect() as connection:
        started = time.perf_counter()
        bulk.suspend(connection)
        bulk.reindex(connection, out=out)
        bulk.restore(connection)
        return time.perf_counter() - started


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--rounds", type=int, default=5, help="measured rounds per query")
    own.add_argument("--name", default="allmende_bench_search", help="benchmark database name")
    extra, rest = own.parse_known_args(argv)
    args = exchange.parse_args(rest)
    args.rounds, args.name = extra.rounds, extra.name
    suffix = "_quick" if args.quick else ""
    args.sqlite_path = load.TMP / f"{extra.name}{suffix}.db"
    args.postgres_db = f"{extra.name}{suffix}"
    return args


def vacuum(engine: Engine) -> None:
    """PostgreSQL: clear the dead rows an earlier run's reindex left, as autovacuum would."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE search_entries")
        connection.exec_driver_sql("VACUUM ANALYZE vorhaben_terms")


def main() -> None:
    args = parse_args()
    url = exchange.prepare(args)
    engine = make_engine(url)
    vacuum(engine)
    account = member_id(engine)
    single = latencies(engine, account, TERMS, args.rounds)
    pairs = latencies(engine, account, PAIRS, args.rounds)
    counts = totals(engine, account, ["strategie", "digitalisierung schule", "ki"])
    with engine.connect() as connection:
        sizes = index_size(connection)
    build = rebuild_seconds(engine)
    reindex = reindex_seconds(engine)
    vacuum(engine)
    with engine.connect() as connection:
        sizes_after = index_size(connection)
    engine.dispose()
    out("")
    out(f"search service in-process, {args.db}, sizes {args.sizes}, rounds {args.rounds}")
    out("| queries | n | p50 ms | p95 ms | mean ms | CPU p50 ms | CPU p95 ms |")
    out("|---|---:|---:|---:|---:|---:|---:|")
    rows = (
        ("30 single terms", single),
        ("30 two-word", pairs),
        ("all", (single[0] + pairs[0], single[1] + pairs[1])),
    )
    for name, (values, cpu) in rows:
        out(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{_percentile(values, 0.95):.1f} | {statistics.fmean(values):.1f} | "
            f"{statistics.median(cpu):.1f} | {_percentile(cpu, 0.95):.1f} |"
        )
    out(f"hits: {counts}")
    out(f"index build from stored rows: {build:.1f} s")
    out(f"full reindex from content (analysis included): {reindex:.1f} s")
    for label, found in (("seeded", sizes), ("after rebuild", sizes_after)):
        total = sum(found.values())
        parts = ", ".join(f"{name} {size / 2**20:.1f}" for name, size in found.items())
        out(f"search structures {label}: {total / 2**20:.1f} MiB ({parts})")


if __name__ == "__main__":
    main()
