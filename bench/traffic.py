"""Benchmark of real traffic: many members of different municipalities read many pages.

    .venv/bin/python bench/traffic.py --db sqlite|postgresql [--quick] [--skip-seed]
        [--members-signed-in 64] [--workers 1 2] [--writes 0 1 5] [--duration 20]

The one-URL runs of exchange.py are a floor; this is the result. Signed-in members of
different municipalities (one session each) read, at the same time over 8 connections:

- the list, the list filtered (field of action, stage, municipality) and sorted,
- Vorhaben pages chosen by a skewed (Zipf) popularity over thousands of ids,
- the dashboard, and search over common terms (a pass without search too),
- and, last, search alone over all 8 connections (the terms and ten two-word queries),

while a writer posts comments through HTTP (form, CSRF token, 303) at 0, 1 and 5 per
second. Each page kind gets its own wrk process with its share of the connections, so the
table reports p50/p95/p99 per page kind under the mixed load; a bare FastAPI endpoint is
measured in the same run. Uses the database exchange.py seeds (same sizes and flags).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx2
from sqlalchemy import select, text

from app.accounts.models import Account
from app.auth import sessions
from app.config import Settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.web.csrf import csrf_cookie_name, session_cookie_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import exchange
from bench import harness as load

SECRET = exchange.SECRET
SEARCH_TERMS = [
    "strategie",
    "digital",
    "bürgerportal",
    "ozg",
    "schule",
    "verwaltung",
    "daten",
    "smart",
    "city",
    "app",
    "portal",
    "plattform",
    "beteiligung",
    "open",
    "data",
    "ki",
    "cloud",
    "mobilität",
    "klima",
    "energie",
    "wlan",
    "breitband",
    "dokumentenmanagement",
    "e-akte",
    "chatbot",
    "termin",
    "gis",
    "kita",
    "sensor",
    "parken",
    "wasser",
]
# Two-word queries for the search-alone run (issue 18: terms and two-word combinations).
SEARCH_PAIRS = [
    "digitalisierung schule",
    "bürgerportal ozg",
    "open data",
    "smart city",
    "ki verwaltung",
    "e-akte einführung",
    "breitband ausbau",
    "klima energie",
    "mobilität app",
    "beteiligung plattform",
]
# Connections per page kind (8 in all): the Vorhaben page is what members read most.
SHARES = {"list": 2, "filtered": 1, "vorhaben": 3, "dashboard": 1, "search": 1}
LUA = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end
function init(args)
  non200 = 0
  math.randomseed(os.time() * 1000 + seed * 7919 + %(salt)d)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], {
    ["Cookie"] = cookies[math.random(#cookies)], ["Accept"] = "text/html"})
end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
%(delay)s
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%.1f %%.1f %%.1f %%d %%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
"""
# With a think time (bench/paced.py): each connection pauses before each request, for an
# exponentially distributed time of the given mean (cut at 4 s, below the server's
# keep-alive of 5 s), so requests arrive at about a chosen rate.
DELAY = """
function delay()
  return math.floor(math.min(4000, -math.log(1 - math.random()) * %(think).3f))
end
"""


@dataclass(frozen=True)
class Traffic:
    cookies: list[str]
    paths: dict[str, list[str]]
    members: int
    municipalities: int


@dataclass
class Writer:
    """Posts comments through HTTP at a steady rate, as a member would (form and token)."""

    base: str
    cookies: list[str]
    targets: list[int]
    rate: float
    posted: int = 0
    failed: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        if self.rate > 0:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=60)

    def _run(self) -> None:
        chooser = random.Random(7)
        with httpx2.Client(timeout=60, follow_redirects=False) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                self._post(client, chooser)
                self._stop.wait(max(0.0, 1 / self.rate - (time.monotonic() - started)))

    def _post(self, client: httpx2.Client, chooser: random.Random) -> None:
        cookie, target = chooser.choice(self.cookies), chooser.choice(self.targets)
        headers = {"Cookie": cookie}
        try:
            page = client.get(f"{self.base}/vorhaben/{target}", headers=headers)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            if page.status_code != 200 or token is None:
                self.failed += 1
                return
            answer = client.post(
                f"{self.base}/vorhaben/{target}/comments",
                headers=headers,
                data={"csrf_token": token.group(1), "body": f"Lasttest {time.time():.3f}"},
            )
            ok = answer.status_code in (200, 303)
            self.posted += ok
            self.failed += not ok
        except httpx2.HTTPError:
            self.failed += 1


def traffic(url: str, settings: Settings, members: int, seed: int = 1) -> Traffic:
    """Sessions for members of different municipalities and the paths they read."""
    chooser = random.Random(seed)
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as db:
        ids = db.scalars(
            text(
                "SELECT min(id) FROM accounts WHERE state = 'approved' AND role = 'member' "
                "GROUP BY municipality_id ORDER BY min(id) LIMIT :n"
            ),
            {"n": members},
        ).all()
        cookies = []
        for account in db.scalars(select(Account).where(Account.id.in_(ids))):
            created = sessions.create(db, settings, account, provider=None, auth_time=None)
            cookies.append(
                f"{session_cookie_name(settings)}={created.token}; "
                f"{csrf_cookie_name(settings)}=bench-traffic-{account.id}"
            )
        popular = db.scalars(
            text(
                "SELECT id FROM vorhaben WHERE visibility = 'members' AND hidden_at IS NULL "
                "ORDER BY comment_count DESC, id LIMIT 3000"
            )
        ).all()
        fields = db.scalars(text("SELECT slug FROM fields_of_action ORDER BY id")).all()
        places = db.scalars(
            text(
                "SELECT DISTINCT m.ags FROM vorhaben v JOIN municipalities m "
                "ON m.id = v.municipality_id ORDER BY 1 LIMIT 200"
            )
        ).all()
    engine.dispose()
    # Zipf-like popularity: the n-th most discussed Vorhaben is read ~1/n as often.
    weights = [1 / (rank + 1) for rank in range(len(popular))]
    vorhaben = [f"/vorhaben/{i}" for i in chooser.choices(popular, weights, k=4000)]
    stages = ["idee", "konzept", "pilot", "umsetzung", "betrieb"]
    sorts = ["activity", "newest"]
    filtered = []
    for _ in range(600):
        query = chooser.choice(
            [
                f"field={quote(chooser.choice(fields))}",
                f"stage={chooser.choice(stages)}",
                f"municipality={chooser.choice(places)}",
                f"field={quote(chooser.choice(fields))}&stage={chooser.choice(stages)}",
            ]
        )
        filtered.append(f"/vorhaben?{query}&sort={chooser.choice(sorts)}")
    paths = {
        "list": ["/vorhaben", "/vorhaben?sort=newest"],
        "filtered": filtered,
        "vorhaben": vorhaben,
        "dashboard": ["/"],
        "search": [f"/suche?q={quote(term)}" for term in SEARCH_TERMS],
        "search alone": [f"/suche?q={quote(q)}" for q in SEARCH_TERMS + SEARCH_PAIRS],
    }
    return Traffic(cookies, paths, len(cookies), len(set(ids)))


def _lua_list(values: list[str]) -> str:
    return ", ".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def start_wrk(
    base: str,
    paths: list[str],
    cookies: list[str],
    connections: int,
    seconds: float,
    think_ms: float = 0,
) -> tuple[subprocess.Popen[str], str]:
    """One wrk process over `connections`; with `think_ms`, each pauses that long on
    average before each request (exponentially distributed)."""
    delay = DELAY % {"think": think_ms} if think_ms > 0 else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            LUA
            % {
                "paths": _lua_list(paths),
                "cookies": _lua_list(cookies),
                "delay": delay,
                # Each wrk process its own sequence: started in the same second, the page
                # kinds' processes would otherwise pause and choose alike.
                "salt": random.randrange(1_000_000),
            }
        )
    command = [load.ensure_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--latency", "--timeout", "30s", "-s", script.name, base + "/"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ), script.name


def finish_wrk(process: subprocess.Popen[str], script: str) -> load.LoadResult:
    stdout, stderr = process.communicate()
    Path(script).unlink()
    line = next((row for row in stdout.splitlines() if row.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{stdout}\n{stderr}")
    requests, micros, p50, p95, p99, non_200, errors = line.split()[1:]
    return load.LoadResult(
        int(requests),
        int(micros) / 1e6,
        float(p50) / 1000,
        float(p95) / 1000,
        float(p99) / 1000,
        int(non_200),
        int(errors),
    )


@dataclass(frozen=True)
class Row:
    label: str
    workers: int
    writes: float
    kind: str
    result: load.LoadResult
    rss_mb: float
    written: int = 0


def run_mix(
    args: argparse.Namespace,
    base: str,
    mix: Traffic,
    pids: list[int],
    *,
    label: str,
    workers: int,
    writes: float,
    search: bool,
    alone: str | None = None,
) -> list[Row]:
    """All page kinds at once (each its share of the connections) plus the writer; with
    `alone`, that one kind over all 8 connections."""
    kinds = [alone] if alone else [kind for kind in SHARES if search or kind != "search"]
    shares = {alone: sum(SHARES.values())} if alone else SHARES
    warm = [start_wrk(base, mix.paths[k], mix.cookies, shares[k], args.warmup) for k in kinds]
    for process, script in warm:
        finish_wrk(process, script)
    writer = Writer(base, mix.cookies, _targets(mix), writes)
    writer.start()
    running = [start_wrk(base, mix.paths[k], mix.cookies, shares[k], args.duration) for k in kinds]
    results = {kind: finish_wrk(*started) for kind, started in zip(kinds, running, strict=True)}
    writer.stop()
    rss = sum(load.peak_rss_mb(pid) for pid in pids) / max(1, len(pids))
    rows = [Row(label, workers, writes, k, r, rss, writer.posted) for k, r in results.items()]
    total = load.LoadResult(
        sum(r.requests for r in results.values()),
        max(r.seconds for r in results.values()),
        0,
        0,
        0,
        sum(r.non_200 for r in results.values()),
        sum(r.socket_errors for r in results.values()),
    )
    rows.append(Row(label, workers, writes, "all", total, rss, writer.posted))
    out(
        f"  {label} ×{workers}, {writes:g} writes/s: {total.rps:,.0f} req/s, "
        f"non-200 {total.non_200 + total.socket_errors}, comments posted {writer.posted} "
        f"(failed {writer.failed}), "
        + ", ".join(f"{k} p95 {r.p95_ms:,.1f}" for k, r in results.items())
    )
    return rows


def _targets(mix: Traffic) -> list[int]:
    return [int(path.rsplit("/", 1)[1]) for path in mix.paths["vorhaben"][:200]]


def out(line: str) -> None:
    print(line, flush=True)


@contextmanager
def served(args: argparse.Namespace, url: str, workers: int) -> Iterator[tuple[str, list[int]]]:
    """`allmende serve` with `workers` workers on the database: its base URL and the
    workers' process ids, until the block ends."""
    env = {
        **os.environ,
        "ALLMENDE_DATABASE_URL": url,
        "ALLMENDE_ENV": "development",
        "ALLMENDE_SECRET_KEY": SECRET,
        "ALLMENDE_LOG_LEVEL": "WARNING",
    }
    command = [str(Path(sys.executable).parent / "allmende"), "serve", "--host", "127.0.0.1"]
    command += ["--port", str(args.port), "--workers", str(workers)]
    log = load.TMP / f"allmende_bench_traffic_serve_{workers}.log"
    process = load.start(command, env, log, load.ROOT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        load.wait_ready(process, base + "/readyz", log)
        yield base, load.worker_pids(process.pid)
    finally:
        load.stop(process)


def serve(args: argparse.Namespace, url: str, mix: Traffic, workers: int) -> list[Row]:
    rows: list[Row] = []
    with served(args, url, workers) as (base, pids):
        for writes in args.writes:
            rows += run_mix(
                args, base, mix, pids, label="mix", workers=workers, writes=writes, search=True
            )
        rows += run_mix(
            args,
            base,
            mix,
            pids,
            label="mix without search",
            workers=workers,
            writes=args.writes[min(1, len(args.writes) - 1)],
            search=False,
        )
        if args.search_alone:
            rows += run_mix(
                args,
                base,
                mix,
                pids,
                label="search alone",
                workers=workers,
                writes=0,
                search=True,
                alone="search alone",
            )
    return rows


def bare(args: argparse.Namespace, workers: int) -> Row:
    command = [str(Path(sys.executable).parent / "uvicorn"), "bench.bare_app:app"]
    command += ["--host", "127.0.0.1", "--port", str(args.port + 1), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    log = load.TMP / f"allmende_bench_traffic_bare_{workers}.log"
    process = load.start(command, dict(os.environ), log, load.ROOT)
    base = f"http://127.0.0.1:{args.port + 1}"
    try:
        load.wait_ready(process, base + "/", log)
        load.run_wrk(base + "/", "", duration=args.warmup, concurrency=8, threads=1)
        result = load.run_wrk(base + "/", "", duration=args.duration, concurrency=8, threads=1)
        rss = max(load.peak_rss_mb(pid) for pid in load.worker_pids(process.pid))
    finally:
        load.stop(process)
    out(f"  bare FastAPI ×{workers}: {result.rps:,.0f} req/s, p95 {result.p95_ms:.1f} ms")
    return Row("bare FastAPI", workers, 0, "bare", result, rss)


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| traffic | workers | writes/s | page kind | req/s | p50 ms | p95 ms | p99 ms "
        "| non-200 | RSS MB per worker | comments posted |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row.result
        latency = (
            "– | – | –"
            if row.kind == "all"
            else f"{r.p50_ms:,.1f} | {r.p95_ms:,.1f} | {r.p99_ms:,.1f}"
        )
        lines.append(
            f"| {row.label} | {row.workers} | {row.writes:g} | {row.kind} | {r.rps:,.1f} | "
            f"{latency} | {r.non_200 + r.socket_errors} | {row.rss_mb:,.0f} | {row.written} |"
        )
    lines.append("")
    for workers in sorted({row.workers for row in rows}):
        floor = next((r for r in rows if r.workers == workers and r.kind == "bare"), None)
        plain = [
            r for r in rows if r.workers == workers and r.kind == "all" and "without" in r.label
        ]
        if floor and plain and floor.result.rps:
            share = 100 * plain[0].result.rps / floor.result.rps
            lines.append(f"- mix without search / bare, {workers} worker(s): {share:.1f} %")
    return lines


def database_parser(description: str | None) -> argparse.ArgumentParser:
    """A parser with the arguments that choose exchange.py's database (with_seed_args)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--quick", action="store_true", help="the small exchange.py database")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the database if it exists")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = database_parser(__doc__)
    parser.add_argument("--members-signed-in", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--writes", type=float, nargs="+", default=[0, 1, 5])
    parser.add_argument("--duration", type=float, default=20, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--port", type=int, default=8775)
    parser.add_argument(
        "--no-search-alone",
        dest="search_alone",
        action="store_false",
        help="skip the run of search alone over all 8 connections (terms and two-word pairs)",
    )
    return with_seed_args(parser.parse_args(argv))


def with_seed_args(args: argparse.Namespace) -> argparse.Namespace:
    """The arguments with exchange.py's (sizes, flags) for the database it seeds."""
    seeded = exchange.parse_args(
        [
            "--db",
            args.db,
            *(["--quick"] if args.quick else []),
            *(["--skip-seed"] if args.skip_seed else []),
        ]
    )
    for name, value in vars(seeded).items():
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load.ensure_wrk()
    url = exchange.prepare(args)
    settings = Settings(database_url=url, env="development", secret_key=SECRET)
    mix = traffic(url, settings, args.members_signed_in)
    out(
        f"{mix.members} members of {mix.municipalities} municipalities; "
        f"{len(set(mix.paths['vorhaben']))} distinct Vorhaben pages, "
        f"{len(set(mix.paths['filtered']))} filtered lists, {len(SEARCH_TERMS)} search terms, "
        f"{len(SEARCH_PAIRS)} two-word searches (search alone)"
    )
    rows: list[Row] = []
    for workers in args.workers:
        rows.append(bare(args, workers))
        rows += serve(args, url, mix, workers)
    out("")
    out(f"### {args.db}, 8 connections, {args.duration:.0f} s per run")
    out("")
    for line in table(rows):
        out(line)


if __name__ == "__main__":
    main()
