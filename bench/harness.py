"""What the benchmarks share: benchmark databases, wrk, server processes and their memory."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2
from sqlalchemy import make_url, text

from app import migrate
from app.db import make_engine, make_session_factory, unit_of_work
from app.municipalities import gv100ad, service

# wrk calls response() for every reply, so non-200 answers (a redirect to /login!) are
# counted, not just the non-2xx/3xx ones wrk reports itself. Latencies are microseconds.
LUA = """
%(headers)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body)
  if status ~= %(expect)d then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non200") end
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%.1f %%.1f %%.1f %%d %%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), bad, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    non_200: int
    socket_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    return found


def _lua(value: str) -> str:
    """A Lua string literal (an ETag carries double quotes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(
    url: str,
    cookie: str,
    *,
    duration: float,
    concurrency: int,
    threads: int,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> LoadResult:
    """One wrk run against url with the given cookie (and other) headers; answers other
    than `expect` are counted as non-200."""
    sent = {"Cookie": cookie, "Accept": "text/html"} if cookie else {}
    sent.update(headers or {})
    lines = "\n".join(f"wrk.headers[{_lua(name)}] = {_lua(value)}" for name, value in sent.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"headers": lines, "expect": expect})
    try:
        completed = subprocess.run(
            [
                ensure_wrk(),
                f"-t{min(threads, concurrency)}",
                f"-c{concurrency}",
                f"-d{max(1, round(duration))}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    line = next((row for row in completed.stdout.splitlines() if row.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    requests, micros, p50, p95, p99, non_200, errors = line.split()[1:]
    return LoadResult(
        requests=int(requests),
        seconds=int(micros) / 1e6,
        p50_ms=float(p50) / 1000,
        p95_ms=float(p95) / 1000,
        p99_ms=float(p99) / 1000,
        non_200=int(non_200),
        socket_errors=int(errors),
    )


def start(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server process in its own process group, output into a log file."""
    with log.open("wb") as handle:
        return subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx2.get(url, timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server we started (SIGINT to its process group, SIGKILL if it hangs)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def worker_pids(server: int) -> list[int]:
    """uvicorn's worker processes; with one worker the server process serves itself."""
    return _children(server) or [server]


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set size) of a process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_idle(pids: list[int], busy: Callable[[], bool], timeout: float = 900) -> float:
    """Wait until requests abandoned by wrk are done (sync routes cannot be cancelled):
    the workers use (almost) no CPU for a second and `busy()` says the database is idle.
    Returns the seconds waited."""
    started = time.monotonic()
    before = cpu_seconds(pids)
    while time.monotonic() - started < timeout:
        time.sleep(1)
        now = cpu_seconds(pids)
        if now - before < 0.05 and not busy():
            break
        before = now
    return time.monotonic() - started


def postgres_busy(url: str) -> Callable[[], bool]:
    """Whether another session runs a query in the benchmark database."""
    engine = make_engine(url, pool_size=1)

    def busy() -> bool:
        with engine.connect() as connection:
            return bool(
                connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND state = 'active' AND pid <> pg_backend_pid()"
                    )
                )
            )

    return busy


ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT.parent / "shared/data/destatis/GV100AD_30112025.txt"
TMP = Path(tempfile.gettempdir())
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# -- benchmark databases (args.db, args.sqlite_path, args.postgres, args.postgres_db) ---------


def database_url(args: argparse.Namespace) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{args.sqlite_path}"
    url = make_url(args.postgres).set(database=args.postgres_db)
    return url.render_as_string(hide_password=False)


def database_exists(args: argparse.Namespace) -> bool:
    if args.db == "sqlite":
        return bool(args.sqlite_path.exists())
    admin = make_engine(args.postgres)
    with admin.connect() as connection:
        found = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": args.postgres_db}
        )
    admin.dispose()
    return found is not None


def fresh_database(args: argparse.Namespace) -> str:
    """Drop and create the benchmark database; returns its URL."""
    if args.db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)
        return database_url(args)
    admin = make_engine(args.postgres).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.postgres_db}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{args.postgres_db}"'))
    admin.dispose()
    return database_url(args)


def migrate_with_registry(url: str, registry: Path, out: Callable[[str], None]) -> None:
    """Bring a fresh database to head and import the full municipality registry."""
    engine = make_engine(url)
    started = time.perf_counter()
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as db:
        imported = service.import_registry(db, gv100ad.read_file(registry))
    elapsed = time.perf_counter() - started
    out(f"migrated, registry imported ({imported.total.line()}): {elapsed:.1f} s")
    engine.dispose()
