"""Benchmark of the export layer: full sync, empty polls, Atom, webhook fan-out.

    .venv/bin/python bench/export.py --db sqlite|postgresql [--published 100000]
        [--workers 1 2] [--polls 2000] [--changes 1000 --endpoints 20] [--skip-seed]

1. Prepares a database with the full registry, seeded members and Vorhaben (app.seed) and
   `--published` published projects (app.seed.publications), or reuses it (--skip-seed).
2. Serves it with `allmende serve --workers N` and, as a partner would (one client, one
   keep-alive connection, with an API key):
   - walks the whole feed from an empty cursor at limit=500 and checks that every project
     arrived exactly once (items per second over the whole walk);
   - polls with the latest cursor `--polls` times (nothing changed: 200 with an empty page),
     then as often with If-None-Match (304);
   - fetches the first Atom page `--polls / 10` times.
3. Registers `--endpoints` webhook endpoints on a local receiver (bench/webhook_receiver.py,
   which verifies every signature with the reference `standardwebhooks` library), releases
   `--changes` new versions of published projects through the real service (submit, then a
   moderator's release), and lets one in-process worker deliver the outbox; deliveries per
   second, and the receiver's count of verified, distinct deliveries.

Prints Markdown tables. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.accounts.models import Account, AccountState, Role
from app.config import Settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.export import partners, review
from app.export import service as publications
from app.export.models import FeedEntry, Publication, PublicationState
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.seed import seed
from app.seed.publications import seed_publications
from app.vorhaben.models import Vorhaben
from app.worker import delivery as webhook_worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import harness as load

ROOT, REGISTRY, TMP = load.ROOT, load.REGISTRY, load.TMP
SQLITE_PATH = TMP / "allmende_bench_export.db"
POSTGRES_ADMIN = load.POSTGRES_ADMIN
POSTGRES_DB = "allmende_bench_export"
SECRET = "bench-export-not-a-secret-0123456789abcdefgh"  # noqa: S105 - throwaway server
ATOM = "/feeds/projects.atom"
TARGETS = "Targets: full sync above 5,000 items/s; an empty poll p95 under 10 ms."


def out(line: str) -> None:
    print(line, flush=True)


def settings_for(url: str, **extra: object) -> Settings:
    return Settings(
        database_url=url,
        env="development",
        secret_key=SECRET,
        webhooks_allow_private=True,
        **extra,  # type: ignore[arg-type]
    )


def prepare(args: argparse.Namespace) -> str:
    """A migrated database with the registry, members, Vorhaben and published projects."""
    if args.skip_seed and load.database_exists(args):
        url = load.database_url(args)
        engine = make_engine(url)
        migrate.upgrade(engine)
        with engine.connect() as connection:
            live = connection.scalar(select(func.count()).select_from(FeedEntry))
        engine.dispose()
        if live:
            out(f"reusing {url} with {live:,} feed entries")
            return url
    url = load.fresh_database(args)
    load.migrate_with_registry(url, args.registry, out)
    engine = make_engine(url)
    # About four in five seeded Vorhaben are visible to all members and can be published.
    vorhaben = int(args.published * 1.3) + 100
    seed(engine, members=max(500, vorhaben // 2), vorhaben=vorhaben, comments=0, out=out)
    started = time.perf_counter()
    done = seed_publications(engine, settings_for(url), args.published, out=out)
    elapsed = time.perf_counter() - started
    out(f"published {done:,} projects in {elapsed:.1f} s")
    engine.dispose()
    return url


@dataclass(frozen=True)
class Timing:
    name: str
    workers: int
    samples: list[float]  # milliseconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def row(self) -> str:
        mean = statistics.fmean(self.samples)
        return (
            f"| {self.name} | {self.workers} | {len(self.samples):,} | "
            f"{self.percentile(0.5):.2f} | {self.percentile(0.95):.2f} | "
            f"{self.percentile(0.99):.2f} | {1000 / mean:,.0f} |"
        )


@dataclass(frozen=True)
class Sync:
    workers: int
    items: int
    pages: int
    seconds: float
    bytes: int


def full_sync(client: httpx2.Client, expected: int, workers: int) -> tuple[Sync, str]:
    """Walk the feed from the start at limit=500; returns the result and the last cursor."""
    seen: set[str] = set()
    cursor: str | None = None
    pages = size = 0
    started = time.perf_counter()
    while True:
        params = {"limit": "500", **({"since": cursor} if cursor else {})}
        response = client.get("/api/v1/projects", params=params)
        response.raise_for_status()
        size += len(response.content)
        page = response.json()
        pages += 1
        for item in page["items"]:
            if item["id"] in seen:
                raise RuntimeError(f"{item['id']} arrived twice")
            seen.add(item["id"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    elapsed = time.perf_counter() - started
    if len(seen) != expected:
        raise RuntimeError(f"synced {len(seen):,} projects, expected {expected:,}")
    assert cursor is not None
    return Sync(workers, len(seen), pages, elapsed, size), cursor


def timed(
    client: httpx2.Client,
    path: str,
    count: int,
    *,
    status: int,
    headers: dict[str, str] | None = None,
) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != status:
            raise RuntimeError(f"{path}: {response.status_code}, expected {status}")
    return samples


WrkRow = tuple[str, int, load.LoadResult]


def serve(
    args: argparse.Namespace, url: str, workers: int
) -> tuple[list[Sync], list[Timing], list[WrkRow]]:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as db:
        expected = db.scalar(
            select(func.count()).select_from(FeedEntry).where(FeedEntry.deleted.is_(False))
        )
        name = f"Bench partner {time.time_ns()}"
        _partner, key = partners.create(db, name)
    engine.dispose()
    env = {
        **os.environ,
        "ALLMENDE_DATABASE_URL": url,
        "ALLMENDE_ENV": "development",
        "ALLMENDE_SECRET_KEY": SECRET,
        "ALLMENDE_LOG_LEVEL": "WARNING",
        "ALLMENDE_FEED_RATE_LIMIT_PER_KEY": "100000000",
    }
    command = [str(Path(sys.executable).parent / "allmende"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(args.port), "--workers", str(workers)]
    log = TMP / f"allmende_bench_export_serve_{workers}.log"
    process = load.start(command, env, log, ROOT)
    base = f"http://127.0.0.1:{args.port}"
    wrk_rows: list[WrkRow] = []
    try:
        load.wait_ready(process, base + "/readyz", log)
        headers = {"Authorization": f"Bearer {key.key}"}
        with httpx2.Client(base_url=base, headers=headers, timeout=120) as client:
            full_sync(client, int(expected or 0), workers)  # warm the caches
            sync, cursor = full_sync(client, int(expected or 0), workers)
            out(f"  full sync ×{workers}: {sync.items:,} items in {sync.seconds:.2f} s")
            poll = f"/api/v1/projects?since={cursor}&limit=500"
            first = client.get(poll)
            etag = first.headers["etag"]
            if first.json()["items"]:
                raise RuntimeError("the poll after a full sync is not empty")
            atoms = max(10, args.polls // 10)
            conditional = {"If-None-Match": etag}
            timings = [
                Timing("empty poll (200)", workers, timed(client, poll, args.polls, status=200)),
                Timing(
                    "empty poll, If-None-Match (304)",
                    workers,
                    timed(client, poll, args.polls, status=304, headers=conditional),
                ),
                Timing("Atom first page", workers, timed(client, ATOM, atoms, status=200)),
            ]
            for timing in timings:
                out(f"  {timing.name} ×{workers}: p95 {timing.percentile(0.95):.2f} ms")
        # The same polls from wrk (C, one connection): the Python client above shares the
        # two cores with the server and the database and adds its own milliseconds.
        for name, extra, status in (
            ("empty poll (200), wrk", {}, 200),
            ("empty poll, If-None-Match (304), wrk", conditional, 304),
        ):
            result = load.run_wrk(
                base + poll,
                "",
                duration=args.wrk_seconds,
                concurrency=1,
                threads=1,
                headers={**headers, **extra},
                expect=status,
            )
            if result.non_200 or result.socket_errors:
                raise RuntimeError(f"{name}: {result.non_200} unexpected answers")
            wrk_rows.append((name, workers, result))
            out(f"  {name} ×{workers}: p95 {result.p95_ms:.2f} ms")
        return [sync], timings, wrk_rows
    finally:
        load.stop(process)


@dataclass(frozen=True)
class FanOut:
    endpoints: int
    changes: int
    release_seconds: float
    deliveries: int
    deliver_seconds: float
    received: int
    unique: int
    invalid: int


def _moderator(db: Session) -> Account:
    account = db.scalars(
        select(Account).where(Account.state == AccountState.APPROVED).order_by(Account.id)
    ).first()
    if account is None:
        raise RuntimeError("no approved account to act as moderator")
    account.role = Role.MODERATOR
    return account


def fan_out(args: argparse.Namespace, url: str) -> FanOut:
    """Release `changes` new versions with `endpoints` subscribers; one worker delivers."""
    settings = settings_for(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as db:
        # Earlier runs leave their endpoints and messages behind: switch them off.
        db.execute(text("UPDATE webhook_endpoints SET active = false"))
        db.execute(text("UPDATE outbox SET state = 'failed' WHERE state = 'pending'"))
        partner, _key = partners.create(db, f"Bench webhooks {time.time_ns()}")
        secrets = {}
        for number in range(args.endpoints):
            _endpoint, secret = partners.add_webhook(
                db, settings, partner, f"http://127.0.0.1:{args.port + 2}/hook/{number}"
            )
            secrets[f"BENCH_SECRET_{number}"] = secret
        moderator_id = _moderator(db).id
    command = [str(Path(sys.executable).parent / "uvicorn"), "bench.webhook_receiver:app"]
    command += ["--host", "127.0.0.1", "--port", str(args.port + 2)]
    command += ["--log-level", "warning", "--no-access-log"]
    log = TMP / "allmende_bench_export_receiver.log"
    receiver = load.start(command, {**os.environ, **secrets}, log, ROOT)
    try:
        load.wait_ready(receiver, f"http://127.0.0.1:{args.port + 2}/stats", log)
        started = time.perf_counter()
        changed = _release_changes(sessions, settings, moderator_id, args.changes)
        release_seconds = time.perf_counter() - started
        out(f"  released {changed:,} new versions in {release_seconds:.1f} s")
        worker = webhook_worker(settings, sessions)
        started = time.perf_counter()
        deliveries = worker.deliver_due(channel=Channel.WEBHOOK)
        deliver_seconds = time.perf_counter() - started
        with unit_of_work(sessions) as db:
            pending = db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.channel == Channel.WEBHOOK,
                    OutboxMessage.state == DeliveryState.PENDING,
                )
            )
        stats = httpx2.get(f"http://127.0.0.1:{args.port + 2}/stats").json()
        if pending:
            out(f"  warning: {pending} webhook messages still pending")
    finally:
        load.stop(receiver)
        engine.dispose()
    return FanOut(
        endpoints=args.endpoints,
        changes=changed,
        release_seconds=release_seconds,
        deliveries=deliveries,
        deliver_seconds=deliver_seconds,
        received=int(stats["received"]),
        unique=int(stats["unique"]),
        invalid=int(stats["invalid"]),
    )


def _release_changes(
    sessions: sessionmaker[Session], settings: Settings, moderator_id: int, count: int
) -> int:
    """Submit a changed summary for `count` published projects and release each one."""
    with unit_of_work(sessions) as db:
        moderator = db.get(Account, moderator_id)
        assert moderator is not None
        rows = db.execute(
            select(Publication.id, Publication.vorhaben_id, Vorhaben.author_id)
            .join(Vorhaben, Vorhaben.id == Publication.vorhaben_id)
            .join(Account, Account.id == Vorhaben.author_id)
            .where(
                Publication.state == PublicationState.PUBLISHED,
                Account.state == AccountState.APPROVED,
                Account.municipality_id == Vorhaben.municipality_id,
                # Moderators do not release their own municipality's publications.
                Vorhaben.municipality_id != moderator.municipality_id,
            )
            .order_by(Publication.id)
            .limit(count)
        ).all()
    for publication_id, vorhaben_id, author_id in rows:
        with unit_of_work(sessions) as db:
            member = db.get(Account, author_id)
            moderator = db.get(Account, moderator_id)
            vorhaben = db.get(Vorhaben, vorhaben_id)
            assert member and moderator and vorhaben
            current = db.get(Publication, publication_id)
            form = publications.form_for(db, vorhaben, current, member)
            form.summary = (form.summary[:440] + f" (Stand {time.strftime('%H:%M:%S')})")[:500]
            publications.submit(db, settings, member, vorhaben.id, form)
            review.decide(db, settings, moderator, publication_id, "release", "")
    return len(rows)


def report(
    args: argparse.Namespace,
    syncs: list[Sync],
    timings: list[Timing],
    wrk_rows: list[WrkRow],
    fan: FanOut | None,
) -> None:
    out("")
    out(f"### {args.db}: {syncs[0].items:,} published projects")
    out("")
    out("| full sync, limit=500 | workers | pages | seconds | items/s | MB |")
    out("|---|---:|---:|---:|---:|---:|")
    for sync in syncs:
        out(
            f"| from an empty cursor | {sync.workers} | {sync.pages:,} | {sync.seconds:.2f} | "
            f"{sync.items / sync.seconds:,.0f} | {sync.bytes / 2**20:,.1f} |"
        )
    out("")
    out("| request (one client, keep-alive) | workers | n | p50 ms | p95 ms | p99 ms | req/s |")
    out("|---|---:|---:|---:|---:|---:|---:|")
    for timing in timings:
        out(timing.row())
    out("")
    out("| request (wrk, one connection) | workers | requests | p50 ms | p95 ms | p99 ms | req/s |")
    out("|---|---:|---:|---:|---:|---:|---:|")
    for name, workers, result in wrk_rows:
        out(
            f"| {name} | {workers} | {result.requests:,} | {result.p50_ms:.2f} | "
            f"{result.p95_ms:.2f} | {result.p99_ms:.2f} | {result.rps:,.0f} |"
        )
    if fan is not None:
        out("")
        out(
            "| webhook fan-out (one worker) | endpoints | changes | deliveries | seconds | "
            "deliveries/s | verified at receiver | distinct ids | invalid |"
        )
        out("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        out(
            f"| release + deliver | {fan.endpoints} | {fan.changes:,} | {fan.deliveries:,} | "
            f"{fan.deliver_seconds:.1f} | {fan.deliveries / fan.deliver_seconds:,.0f} | "
            f"{fan.received:,} | {fan.unique:,} | {fan.invalid} |"
        )
        out(
            f"\nReleasing the {fan.changes:,} changes (submit + release, each in its own "
            f"transaction, {fan.endpoints} outbox rows each) took {fan.release_seconds:.1f} s "
            f"({fan.changes / fan.release_seconds:,.0f} releases/s)."
        )
    out("")
    out(TARGETS)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--published", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument(
        "--wrk-seconds", type=float, default=10, help="seconds of each wrk poll run"
    )
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=20)
    parser.add_argument("--skip-seed", action="store_true", help="reuse the database if seeded")
    parser.add_argument("--skip-webhooks", action="store_true")
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="admin URL (database postgres)")
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument("--seed-only", action="store_true", help="prepare the database, stop")
    args = parser.parse_args(argv)
    args.sqlite_path, args.postgres_db = SQLITE_PATH, POSTGRES_DB
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = prepare(args)
    if args.seed_only:
        return
    syncs: list[Sync] = []
    timings: list[Timing] = []
    wrk_rows: list[WrkRow] = []
    for workers in args.workers:
        found, measured, by_wrk = serve(args, url, workers)
        syncs += found
        timings += measured
        wrk_rows += by_wrk
    fan = None if args.skip_webhooks else fan_out(args, url)
    report(args, syncs, timings, wrk_rows, fan)


if __name__ == "__main__":
    main()
