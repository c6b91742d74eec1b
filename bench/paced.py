"""Latency at the rates members send requests, beside the latency at saturation (issue 18).

    .venv/bin/python bench/paced.py --db sqlite|postgresql [--quick] [--skip-seed]
        [--search-rates 10 20 30] [--rates 25 50 100] [--writes 1] [--duration 40]

traffic.py's connections ask again the moment an answer arrives (a closed loop without
pauses): one worker is then always busy, and its latencies are mostly the time a request
waits behind the other seven. Members pause between pages. Here each connection pauses
before every request for an exponentially distributed time (1 s on average, cut at 4 s),
and there are as many connections as it takes for requests to arrive at a given rate
(offered; the table also shows the rate achieved, lower once answers take long). Each
request is one of 64 signed-in members of 64 municipalities (traffic.py's sessions and
paths):

- search alone at `--search-rates` searches per second (the 31 terms and ten two-word
  queries);
- the mix at `--rates` requests per second, each page kind its share of traffic.py's
  (list 2/8, filtered 1/8, Vorhaben 3/8, dashboard 1/8, search 1/8);
- and, in the same run, search alone over 8 connections without pauses (traffic.py's
  "search alone"), the saturated reference.

A writer posts comments through HTTP at `--writes` per second throughout. One worker
(`--workers` to change).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from app.config import Settings
from bench import exchange
from bench import harness as load
from bench import traffic as real

MEMBERS = 64  # signed in, each request as one of them
# A connection's mean pause, cut at 4 s (1.8 % of the pauses; the mean becomes 0.98 s) so
# that the server's keep-alive (5 s) never closes an idle connection (then wrk counted an
# error and asked again at once). A page kind below 0.5 requests per second gets one
# connection with longer pauses, more of them cut: it arrives more often than asked.
THINK_S = 1.0


@dataclass(frozen=True)
class Row:
    label: str
    offered: float  # requests per second asked for (0: no pauses)
    kind: str
    result: load.LoadResult


def run(
    base: str,
    mix: real.Traffic,
    shares: dict[str, int],
    rate: float,
    seconds: float,
    writes: float,
) -> dict[str, load.LoadResult]:
    """Each kind its share of `rate` requests per second: about THINK_S times as many
    connections, each pausing THINK_S on average before each request. Without a rate,
    each kind over `shares[kind]` connections without pauses."""
    total = sum(shares.values())
    started = []
    for kind, share in shares.items():
        if rate:
            kind_rate = rate * share / total
            connections = max(1, round(kind_rate * THINK_S))
            think_ms = 1000 * connections / kind_rate
        else:
            connections, think_ms = share, 0
        paths = mix.paths[kind]
        started.append(real.start_wrk(base, paths, mix.cookies, connections, seconds, think_ms))
    writer = real.Writer(base, mix.cookies, real._targets(mix), writes)
    writer.start()
    results = {kind: real.finish_wrk(*wrk) for kind, wrk in zip(shares, started, strict=True)}
    writer.stop()
    if writer.failed:
        real.out(f"  the writer failed {writer.failed} times")
    return results


def measure(args: argparse.Namespace, base: str, mix: real.Traffic) -> list[Row]:
    mixed = dict(real.SHARES)
    run(base, mix, mixed, 0, args.warmup, 0)  # warm-up, not recorded
    rows: list[Row] = []

    def record(label: str, rate: float, results: dict[str, load.LoadResult]) -> None:
        for kind, result in results.items():
            rows.append(Row(label, rate, kind, result))
        achieved = sum(result.rps for result in results.values())
        real.out(
            f"  {label} at {rate:g}/s: achieved {achieved:.1f}/s; "
            + ", ".join(f"{k} p50 {r.p50_ms:.1f} p95 {r.p95_ms:.1f}" for k, r in results.items())
        )

    alone = {"search alone": sum(real.SHARES.values())}
    record("search alone, no pauses", 0, run(base, mix, alone, 0, args.duration, args.writes))
    for rate in args.search_rates:
        record("search alone", rate, run(base, mix, alone, rate, args.duration, args.writes))
    for rate in args.rates:
        record("mix", rate, run(base, mix, mixed, rate, args.duration, args.writes))
    return rows


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| traffic | offered req/s | page kind | achieved req/s | p50 ms | p95 ms | p99 ms "
        "| non-200 |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row.result
        offered = f"{row.offered:g}" if row.offered else "no pauses"
        lines.append(
            f"| {row.label} | {offered} | {row.kind} | {r.rps:,.1f} | {r.p50_ms:,.1f} | "
            f"{r.p95_ms:,.1f} | {r.p99_ms:,.1f} | {r.non_200 + r.socket_errors} |"
        )
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = real.database_parser(__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--search-rates", type=float, nargs="+", default=[10, 20, 30])
    parser.add_argument("--rates", type=float, nargs="+", default=[25, 50, 100])
    parser.add_argument("--writes", type=float, default=1, help="comments posted per second")
    parser.add_argument("--duration", type=float, default=40, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--port", type=int, default=8775)
    args = real.with_seed_args(parser.parse_args(argv))
    if any(rate <= 0 for rate in args.search_rates + args.rates):
        parser.error("rates must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    load.ensure_wrk()
    url = exchange.prepare(args)
    settings = Settings(database_url=url, env="development", secret_key=real.SECRET)
    mix = real.traffic(url, settings, MEMBERS)
    real.out(f"{mix.members} members of {mix.municipalities} municipalities")
    with real.served(args, url, args.workers) as (base, _pids):
        rows = measure(args, base, mix)
    real.out("")
    real.out(f"### {args.db}, {args.workers} worker(s), {args.duration:.0f} s per run")
    real.out("")
    for line in table(rows):
        real.out(line)


if __name__ == "__main__":
    main()
