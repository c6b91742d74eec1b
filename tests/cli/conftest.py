"""The `allmende` console script as an operator runs it: the installed script in its own
process, with a clean environment (nothing of the test process is imported there), against
a migrated database that commits for real and is emptied after each test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine, make_url

from tests.conftest import GV100AD_EXCERPT, create_database, drop_database

# The console script pip installed beside the interpreter that runs the tests.
ALLMENDE = Path(sys.executable).parent / "allmende"
EXCERPT = GV100AD_EXCERPT


@dataclass(frozen=True)
class Result:
    """What the command left: its exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    @property
    def last_line(self) -> str:
        lines = self.out.strip().splitlines()
        return lines[-1] if lines else ""

    def assert_refused(self, reason: str) -> None:
        """A user mistake: non-zero exit, one line on stderr naming the reason, no traceback."""
        assert self.code != 0, self.out
        assert self.err.startswith("allmende: "), self.err
        assert self.err.count("\n") == 1, self.err
        assert "Traceback" not in self.err
        assert reason in self.err, self.err


def environment(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    """What an operator's shell gives the command: a PATH, a HOME, a locale, the settings."""
    return {
        "PATH": os.pathsep.join([str(ALLMENDE.parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ALLMENDE_DATABASE_URL": database_url,
        **extra,
    }


Run = Callable[..., Result]


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path, worker_id_safe: str) -> Iterator[str]:
    """A new database of the test's kind that nobody migrated (a fresh install)."""
    kind = make_url(database_url).get_backend_name()
    url = create_database(kind, f"allmende_new_{worker_id_safe}", tmp_path, migrate_it=False)
    yield url
    drop_database(url)


@pytest.fixture(autouse=True)
def _console_script_installed() -> None:
    if not ALLMENDE.exists():
        pytest.fail(f"{ALLMENDE} is missing: install the project first (make install)")


@pytest.fixture
def database_of_the_command(engine: Engine) -> str:
    """The URL of the test's committing database (the `cli` tests run only committing)."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def allmende(database_of_the_command: str, tmp_path: Path) -> Run:
    """Run `allmende ARGS…` and wait for it; keyword arguments become ALLMENDE_* settings
    (database_url overrides the test's database)."""

    def run(*args: str, timeout: float = 120, **settings: str) -> Result:
        url = settings.pop("database_url", database_of_the_command)
        extra = {f"ALLMENDE_{name.upper()}": value for name, value in settings.items()}
        done = subprocess.run(
            [str(ALLMENDE), *args],
            env=environment(url, tmp_path, **extra),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running `allmende serve` or `allmende demo` (its output goes to files: a pipe nobody
    reads would stall it once full)."""

    process: subprocess.Popen[bytes]
    base_url: str
    out_file: Path
    err_file: Path

    def wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, out, err = self.stop()
                pytest.fail(f"the server ended with {code}:\n{out}\n{err}")
            try:
                if httpx2.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"no answer from {self.base_url}/healthz within {timeout} s")

    def stop(self) -> tuple[int, str, str]:
        """Ctrl+C, as an operator stops it; returns exit code, stdout, stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        out = self.out_file.read_text(encoding="utf-8")
        return self.process.returncode, out, self.err_file.read_text(encoding="utf-8")


@pytest.fixture
def start_server(database_of_the_command: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start `allmende COMMAND --port P …` in the background; stopped after the test."""
    started: list[Server] = []

    def start(*args: str, **settings: str) -> Server:
        port = free_port()
        extra = {f"ALLMENDE_{name.upper()}": value for name, value in settings.items()}
        name = f"server-{len(started)}"
        out_file, err_file = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
        with out_file.open("wb") as out, err_file.open("wb") as err:
            process = subprocess.Popen(
                [str(ALLMENDE), *args, "--port", str(port)],
                env=environment(database_of_the_command, tmp_path, **extra),
                cwd=tmp_path,
                stdout=out,
                stderr=err,
            )
        server = Server(process, f"http://127.0.0.1:{port}", out_file, err_file)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
