"""Where a page's time goes: one client, in process, no server and no network.

    .venv/bin/python bench/pages.py --db sqlite --quick                 # the table
    .venv/bin/python bench/pages.py --db sqlite --quick --profile vorhaben
    .venv/bin/python bench/pages.py --db sqlite --quick --sql dashboard
    .venv/bin/python bench/pages.py --db sqlite --traffic 300

Uses the database exchange.py seeds (run it with --seed-only first). For each page kind
(the list, a filtered list, a Vorhaben page with about 50 comments, the dashboard) it
reports the first request in the process (cold: nothing compiled or cached yet), the
median of `--repeat` more (wall clock and this process's CPU time), and for the Vorhaben
page the median over as many different Vorhaben with 40-60 comments (each read once: what
real traffic meets), then the Vorhaben with the longest discussion and the second page of its
comments as htmx loads it, together with the
SQL statements each request ran (counted with SQLAlchemy's cursor events). The app runs in
this thread (its worker-thread hand-overs are made inline), so `--profile KIND` shows a
whole request in cProfile; `--sql KIND` prints the statements of one request.

`--traffic N` measures instead the page kinds as bench/traffic.py's members read them: N
requests of each kind, each by one of its 64 members of different municipalities, on one of
its paths (Vorhaben pages by Zipf popularity, the filtered and sorted lists, the search page
over its terms and two-word queries), chosen at random. What one member reading one URL
costs is a floor; this is what the mix's pages cost a worker before uvicorn and the network.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
import httpx
from sqlalchemy import Engine, event, text

from app.comments.threads import PAGE_THREADS
from app.config import Settings
from app.db import make_engine
from app.main import create_app, settle_heap

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import exchange, traffic

# --traffic: requests of each kind before measuring (statements compiled, caches filled).
WARMUP = 20

# Transaction control is not counted (SQLite's BEGIN DEFERRED is a statement of its own).
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class StatementLog:
    """The SQL statements an engine runs while `recording()` is open."""

    def __init__(self, engine: Engine) -> None:
        self.statements: list[str] = []
        self._on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._on and not statement.startswith(TRANSACTION):
            self.statements.append(statement)

    @contextmanager
    def recording(self) -> Iterator[list[str]]:
        self.statements = []
        self._on = True
        try:
            yield self.statements
        finally:
            self._on = False


async def _inline(func: Callable[..., Any], *args: Any, **_kwargs: Any) -> Any:
    return func(*args)


def run_inline() -> None:
    """Run what the app hands to worker threads in the calling thread (for cProfile)."""
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]


def pages(url: str, settings: Settings, fixture: exchange.Fixture) -> dict[str, list[str]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        others = connection.scalars(
            text(
                "SELECT id FROM vorhaben WHERE comment_count BETWEEN 40 AND 60 "
                "AND visibility = 'members' AND hidden_at IS NULL ORDER BY id LIMIT 40"
            )
        ).all()
        field = connection.scalar(text("SELECT slug FROM fields_of_action ORDER BY id LIMIT 1"))
        # The most discussed Vorhaben (about 600 comments in the seeded databases), and the
        # cursor of the second page of its discussion (the newest thread after the first page).
        longest = connection.scalar(
            text(
                "SELECT id FROM vorhaben WHERE visibility = 'members' AND hidden_at IS NULL "
                "ORDER BY comment_count DESC, id LIMIT 1"
            )
        )
        older = connection.scalar(
            text(
                "SELECT id FROM comments WHERE vorhaben_id = :id AND parent_id IS NULL "
                "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET :first_page"
            ),
            {"id": longest, "first_page": PAGE_THREADS},
        )
    engine.dispose()
    return {
        "list": ["/vorhaben"],
        "filtered": [f"/vorhaben?field={field}&sort=newest"],
        "vorhaben": [f"/vorhaben/{fixture.vorhaben_id}"],
        "vorhaben, other ids": [f"/vorhaben/{i}" for i in others if i != fixture.vorhaben_id],
        "vorhaben, longest discussion": [f"/vorhaben/{longest}"],
        "its older comments": [f"/vorhaben/{longest}/kommentare?bis={older}"],
        "dashboard": ["/"],
        # Search pages over traffic.py's terms (each once: the first is the cold request).
        "search": [f"/suche?q={quote(term)}" for term in traffic.SEARCH_TERMS],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", metavar="KIND", help="cProfile this page kind")
    parser.add_argument("--sql", metavar="KIND", help="print one request's statements")
    parser.add_argument("--top", type=int, default=45, help="cProfile rows")
    parser.add_argument("--traffic", type=int, metavar="N", help="N requests per kind, as read")
    args = parser.parse_args(argv)
    seeded = exchange.parse_args(["--db", args.db, "--skip-seed", *(["--quick"] * args.quick)])
    url = exchange.prepare(seeded)
    settings = Settings(
        database_url=url, env="development", secret_key=exchange.SECRET, log_level="WARNING"
    )
    if args.traffic:
        mix = traffic.traffic(url, settings, 64)
        asyncio.run(_as_read(_app(settings, url)[0], mix, args.traffic))
        return
    fixture = exchange.fixture(url, settings)
    paths = pages(url, settings, fixture)
    app, log = _app(settings, url)
    asyncio.run(_measure(app, fixture.cookie, paths, log, args))


def _app(settings: Settings, url: str) -> tuple[Any, StatementLog]:
    """The app as `allmende serve` starts it, run in this thread, its statements logged."""
    run_inline()
    engine = make_engine(url)
    app = create_app(settings, engine=engine)
    log = StatementLog(engine)
    settle_heap()  # as `allmende serve` does at start
    return app, log


async def _as_read(app: Any, mix: traffic.Traffic, requests: int) -> None:
    """The mix's page kinds, each request by a random member on a random path of its kind."""
    chooser = random.Random(3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        print(f"as {mix.members} members of {mix.municipalities} municipalities read them")
        print("| page | requests | median ms | mean ms | CPU ms (median) |")
        print("|---|---:|---:|---:|---:|")
        # Search as its members read it (the terms and the two-word queries): the page's
        # cost beside bench/search.py's and bench/engine.py's figures for the service alone.
        kinds = {kind: kind for kind in ("list", "filtered", "vorhaben", "dashboard")}
        kinds["search"] = "search alone"
        for kind, paths in kinds.items():
            walls: list[float] = []
            cpus: list[float] = []
            for number in range(requests + WARMUP):
                cookie = chooser.choice(mix.cookies)
                path = chooser.choice(mix.paths[paths])
                started, cpu_started = time.perf_counter(), time.process_time()
                response = await client.get(path, headers={"Cookie": cookie})
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")
                if number >= WARMUP:
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - cpu_started) * 1000)
            print(
                f"| {kind} | {requests} | {statistics.median(walls):.1f} | "
                f"{statistics.mean(walls):.1f} | {statistics.median(cpus):.1f} |"
            )


async def _measure(
    app: Any, cookie: str, paths: dict[str, list[str]], log: StatementLog, args: Any
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers={"Cookie": cookie}
    ) as client:
        cpu: list[float] = []

        async def get(path: str) -> tuple[float, int]:
            with log.recording() as statements:
                started, cpu_started = time.perf_counter(), time.process_time()
                # The older comments as the Vorhaben page loads them (htmx).
                headers = {"HX-Request": "true"} if "/kommentare?" in path else {}
                response = await client.get(path, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                cpu.append((time.process_time() - cpu_started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
            return elapsed, len(statements)

        if args.sql:
            await get(paths[args.sql][0])
            with log.recording() as statements:
                await client.get(paths[args.sql][0])
            for number, statement in enumerate(statements, 1):
                print(f"-- {number}\n{statement}\n")
            return
        if args.profile:
            await _profiled(lambda: get(paths[args.profile][0]), args)
            return
        # CPU time is this process's own: on a shared machine it varies less than the clock.
        print("| page | cold ms | warm ms (median) | warm CPU ms (median) | statements |")
        print("|---|---:|---:|---:|---:|")
        for kind, urls in paths.items():
            cold, count = await get(urls[0])
            cpu.clear()
            if len(urls) > 1:
                timings = [(await get(path))[0] for path in urls[1:]]
            else:
                timings = [(await get(urls[0]))[0] for _ in range(args.repeat)]
            warm, warm_cpu = statistics.median(timings), statistics.median(cpu)
            print(f"| {kind} | {cold:.1f} | {warm:.1f} | {warm_cpu:.1f} | {count} |")


async def _profiled(request: Callable[[], Awaitable[tuple[float, int]]], args: Any) -> None:
    await request()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        await request()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
