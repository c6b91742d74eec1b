"""Benchmark of the exchange: list, detail, search and dashboard pages under load.

    .venv/bin/python bench/exchange.py --db sqlite|postgresql [--quick]
        [--members 50000 --vorhaben 100000 --comments 1000000] [--workers 1 2]
        [--duration 20] [--concurrency 8] [--skip-seed]

Creates and seeds a fresh database (app.seed), signs one member in, serves the app with
`allmende serve` and measures each page with wrk; a bare FastAPI app is the floor.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx2
from sqlalchemy import Engine, select, text

from app import migrate
from app.accounts.models import Account
from app.auth import sessions
from app.config import Settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.seed import seed
from app.web.csrf import csrf_cookie_name, session_cookie_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import harness as load

ROOT, REGISTRY, TMP = load.ROOT, load.REGISTRY, load.TMP
SQLITE_PATH = TMP / "allmende_bench_exchange.db"
POSTGRES_ADMIN = load.POSTGRES_ADMIN
POSTGRES_DB = "allmende_bench_exchange"
SECRET = "bench-exchange-not-a-secret-0123456789abcdef"  # noqa: S105 - throwaway server
FULL = (50_000, 100_000, 1_000_000)
QUICK = (500, 1_000, 10_000)
TARGETS = """Targets: p95 < 50 ms for list, detail and dashboard; p95 < 150 ms for search;
list throughput >= 15 % of the bare endpoint's (one worker)."""


@dataclass(frozen=True)
class Row:
    endpoint: str
    workers: int
    result: load.LoadResult
    rss_mb: list[float]
    single_ms: float  # median of sequential requests by one client, after a warm-up
    cold_ms: float  # the first request (a read-cache miss)
    cache: bool = True


def out(line: str) -> None:
    print(line, flush=True)


def prepare(args: argparse.Namespace) -> str:
    """A migrated, registry-filled, seeded database; returns its URL."""
    if args.skip_seed and load.database_exists(args):
        url = load.database_url(args)
        out(f"reusing {url}")
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        return url
    url = load.fresh_database(args)
    load.migrate_with_registry(url, args.registry, out)
    engine = make_engine(url)
    members, vorhaben, comments = args.sizes
    seed(engine, members=members, vorhaben=vorhaben, comments=comments, out=out)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside a transaction, which the pragma needs
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    out(f"database size: {database_size(engine, args.sqlite_path) / 2**20:,.0f} MiB")
    engine.dispose()
    return url


def database_size(engine: Engine, sqlite_path: Path) -> int:
    if engine.dialect.name == "sqlite":
        return sum(
            Path(f"{sqlite_path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{sqlite_path}{suffix}").exists()
        )
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)


@dataclass(frozen=True)
class Fixture:
    cookie: str
    member: str
    vorhaben_id: int
    comment_count: int


def fixture(url: str, settings: Settings) -> Fixture:
    """A signed-in member whose municipality has Vorhaben, and a page with ~50 comments."""
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as db:
        target = db.execute(
            text(
                "SELECT id, comment_count FROM vorhaben WHERE comment_count BETWEEN 45 AND 60 "
                "AND visibility = 'members' ORDER BY abs(comment_count - 50), id LIMIT 1"
            )
        ).one()
        # Prefer a member with interests who authored a discussed Vorhaben: the dashboard
        # then fills every one of its sections.
        member_id = db.scalar(
            text(
                "SELECT a.id FROM accounts a WHERE a.state = 'approved' "
                "AND EXISTS (SELECT 1 FROM account_interests i WHERE i.account_id = a.id) "
                "AND EXISTS (SELECT 1 FROM vorhaben v WHERE v.author_id = a.id "
                "AND v.comment_count > 0) ORDER BY a.id LIMIT 1"
            )
        ) or db.scalar(
            text(
                "SELECT a.id FROM accounts a WHERE a.state = 'approved' AND EXISTS "
                "(SELECT 1 FROM vorhaben v WHERE v.municipality_id = a.municipality_id) "
                "ORDER BY a.id LIMIT 1"
            )
        )
        account = db.scalars(select(Account).where(Account.id == member_id)).one()
        created = sessions.create(db, settings, account, provider=None, auth_time=None)
        label = (
            f"{account.display_name} (account {account.id}, municipality {account.municipality_id})"
        )
    engine.dispose()
    cookie = (
        f"{session_cookie_name(settings)}={created.token}; "
        f"{csrf_cookie_name(settings)}=bench-exchange-browser"
    )
    return Fixture(cookie, label, int(target.id), int(target.comment_count))


def endpoints(target: int) -> list[tuple[str, str]]:
    return [
        ("GET /vorhaben", "/vorhaben"),
        (f"GET /vorhaben/{target} (~50 comments)", f"/vorhaben/{target}"),
        ("GET /suche?q=strategie", "/suche?q=strategie"),
        ("GET /suche?q=bürgerportal digital", "/suche?q=" + quote("bürgerportal digital")),
        ("GET / (dashboard)", "/"),
    ]


def _single(base: str, cookie: str, name: str, path: str) -> tuple[float, float]:
    """Status and size once (must be 200), then the median of up to 3 sequential requests;
    returns that median and the first (cold) request's time."""
    timings = []
    client = httpx2.Client(headers={"Cookie": cookie}, follow_redirects=False, timeout=300)
    for attempt in range(4):
        started = time.perf_counter()
        response = client.get(base + path)
        timings.append((time.perf_counter() - started) * 1000)
        if attempt == 0:
            out(
                f"  preflight {name}: {response.status_code}, {len(response.content):,} bytes, "
                f"{timings[0]:,.0f} ms cold"
            )
        if sum(timings) > 15_000:
            break
    client.close()
    warm = sorted(timings[1:] or timings)
    return warm[len(warm) // 2], timings[0]


def _idle(pids: list[int], busy: Callable[[], bool]) -> None:
    waited = load.wait_idle(pids, busy)
    if waited > 2.5:
        out(f"    (waited {waited:.0f} s for abandoned requests to finish)")


def measure(
    args: argparse.Namespace,
    base: str,
    cookie: str,
    paths: list[tuple[str, str]],
    workers: int,
    server_pid: int,
    busy: Callable[[], bool],
    *,
    cache: bool = True,
) -> list[Row]:
    rows = []
    pids = load.worker_pids(server_pid)
    for name, path in paths:
        single, cold = _single(base, cookie, name, path)
        load.run_wrk(
            base + path, cookie, duration=args.warmup, concurrency=args.concurrency, threads=1
        )
        _idle(pids, busy)
        cpu_before = [load.cpu_seconds([pid]) for pid in pids]
        result = load.run_wrk(
            base + path,
            cookie,
            duration=args.duration,
            concurrency=args.concurrency,
            threads=args.threads,
        )
        cpu = [
            load.cpu_seconds([pid]) - before for pid, before in zip(pids, cpu_before, strict=True)
        ]
        rss = [load.peak_rss_mb(pid) for pid in pids]
        rows.append(Row(name, workers, result, rss, single, cold, cache))
        out(
            f"  {name} ×{workers}: p50 {_ms(result, result.p50_ms)}, "
            f"p95 {_ms(result, result.p95_ms)}, {_rate(result.rps)} req/s, "
            f"non-200 {result.non_200 + result.socket_errors}, 1 client {single:,.1f} ms, "
            f"CPU s per worker {' / '.join(f'{value:.1f}' for value in cpu)}"
        )
        _idle(pids, busy)
    return rows


def run_app(
    args: argparse.Namespace, url: str, fix: Fixture, workers: int, *, cache: bool = True
) -> list[Row]:
    env = {
        **os.environ,
        "ALLMENDE_DATABASE_URL": url,
        "ALLMENDE_ENV": "development",
        "ALLMENDE_SECRET_KEY": SECRET,
        "ALLMENDE_LOG_LEVEL": "WARNING",
        **({} if cache else {"ALLMENDE_READ_CACHE_ENTRIES": "0"}),
    }
    command = [str(Path(sys.executable).parent / "allmende"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(args.port), "--workers", str(workers)]
    log = TMP / f"allmende_bench_exchange_serve_{workers}.log"
    process = load.start(command, env, log, ROOT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        load.wait_ready(process, base + "/readyz", log)
        busy = load.postgres_busy(url) if args.db == "postgresql" else (lambda: False)
        paths = endpoints(fix.vorhaben_id)
        return measure(args, base, fix.cookie, paths, workers, process.pid, busy, cache=cache)
    finally:
        load.stop(process)


def run_bare(args: argparse.Namespace, workers: int) -> Row:
    command = [str(Path(sys.executable).parent / "uvicorn"), "bench.bare_app:app"]
    command += ["--host", "127.0.0.1", "--port", str(args.port + 1), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    log = TMP / f"allmende_bench_exchange_bare_{workers}.log"
    process = load.start(command, dict(os.environ), log, ROOT)
    base = f"http://127.0.0.1:{args.port + 1}"
    try:
        load.wait_ready(process, base + "/", log)
        paths = [("GET bare FastAPI", "/")]
        return measure(args, base, "", paths, workers, process.pid, lambda: False)[0]
    finally:
        load.stop(process)


def _rate(rps: float) -> str:
    return f"{rps:.1f}" if rps < 10 else f"{rps:,.0f}"


def _ms(result: load.LoadResult, value: float) -> str:
    """A latency; none when no request finished within the run (all slower than it)."""
    return f"{value:,.1f}" if result.requests else f"> {result.seconds or 20:.0f} s"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| endpoint | workers | read cache | p50 ms | p95 ms | req/s | non-200 "
        "| peak RSS MB per worker | 1 client ms | first request ms |",
        "|---|---:|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        result = row.result
        rss = " / ".join(f"{value:.0f}" for value in row.rss_mb)
        cache = "–" if "bare" in row.endpoint else ("on" if row.cache else "off")
        lines.append(
            f"| {row.endpoint} | {row.workers} | {cache} | {_ms(result, result.p50_ms)} | "
            f"{_ms(result, result.p95_ms)} | {_rate(result.rps)} | "
            f"{result.non_200 + result.socket_errors} | {rss} | {row.single_ms:,.1f} | "
            f"{row.cold_ms:,.1f} |"
        )
    lines.append("")
    for workers in sorted({row.workers for row in rows}):
        listing = next(
            (r for r in rows if r.workers == workers and r.endpoint == "GET /vorhaben" and r.cache),
            None,
        )
        bare = next((r for r in rows if r.workers == workers and "bare" in r.endpoint), None)
        if listing and bare and bare.result.rps:
            share = 100 * listing.result.rps / bare.result.rps
            lines.append(f"- list rps / bare rps, {workers} worker(s): {share:.1f} %")
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument(
        "--quick", action="store_true", help="500 members, 1,000 Vorhaben, 10,000 comments"
    )
    parser.add_argument("--members", type=int)
    parser.add_argument("--vorhaben", type=int)
    parser.add_argument("--comments", type=int)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=20, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the database if it exists")
    parser.add_argument("--seed-only", action="store_true", help="prepare the database, stop")
    parser.add_argument(
        "--no-cache-off",
        dest="cache_off",
        action="store_false",
        help="skip the one-worker pass with the read cache switched off",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="admin URL (database postgres)")
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    # The quick databases have their own names, so a smoke run never replaces a full seed.
    suffix = "_quick" if args.quick else ""
    args.sqlite_path = SQLITE_PATH.with_name(f"{SQLITE_PATH.stem}{suffix}.db")
    args.postgres_db = f"{POSTGRES_DB}{suffix}"
    args.sizes = (
        args.members if args.members is not None else base[0],
        args.vorhaben if args.vorhaben is not None else base[1],
        args.comments if args.comments is not None else base[2],
    )
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load.ensure_wrk()
    url = prepare(args)
    if args.seed_only:
        return
    settings = Settings(database_url=url, env="development", secret_key=SECRET)
    fix = fixture(url, settings)
    out(
        f"member: {fix.member}; detail page: Vorhaben {fix.vorhaben_id} "
        f"with {fix.comment_count} comments"
    )
    rows: list[Row] = []
    for workers in args.workers:
        rows += run_app(args, url, fix, workers)
        rows.append(run_bare(args, workers))
    if args.cache_off:
        # The same pages with the read cache switched off: what every first view (and every
        # view right after a write) costs.
        rows += run_app(args, url, fix, 1, cache=False)
    out("")
    out(f"### {args.db}, {args.concurrency} connections, {args.duration:.0f} s per endpoint")
    out("")
    for line in table(rows):
        out(line)
    out("")
    out(TARGETS)


if __name__ == "__main__":
    main()
