"""Every entry point knows every table before it touches the database.

A flush sorts the tables it writes by their foreign keys across the whole metadata; a model
module nobody imported leaves a foreign key pointing at an unknown table, and the write
fails with NoReferencedTableError. The web app imported everything through its routers; the
CLI did not, so `partners create` failed on every fresh install while the in-process tests,
which had imported the web app, passed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import app.models  # noqa: F401 - the whole registry, to compare with
from app import cli
from app.db import Base
from tests.cli.conftest import EXCERPT, environment

# Arguments that get each command as far as its first statement and beyond; `serve` and
# `demo` stop before serving (the probe replaces run_server).
ARGUMENTS = {
    "db upgrade": ["db", "upgrade"],
    "db check": ["db", "check"],
    "municipalities import": ["municipalities", "import", str(EXCERPT)],
    "members promote": ["members", "promote", "nobody@example.org", "--role", "admin"],
    "worker": ["worker", "--once"],
    "maintenance": ["maintenance"],
    "seed": ["seed", "--members", "1", "--vorhaben", "1", "--comments", "0"],
    "partners create": ["partners", "create", "Civic Data"],
    "partners list": ["partners", "list"],
    "partners add-webhook": ["partners", "add-webhook", "Civic Data", "https://192.0.2.1/h"],
    "partners revoke": ["partners", "revoke", "Civic Data"],
    "search reindex": ["search", "reindex", "--if-changed"],
    "serve": ["serve"],
    "demo": ["demo", "--no-serve"],
}

# Runs in a fresh interpreter: notes which tables the metadata knows when the first SQL
# statement of the process is sent, whatever engine sends it.
PROBE = """
import json, sys
from sqlalchemy import Engine, event

from app import cli
from app.db import Base

first = []

@event.listens_for(Engine, "before_cursor_execute")
def note(conn, cursor, statement, parameters, context, executemany):
    if not first:
        first.append({"statement": statement, "tables": sorted(Base.metadata.tables)})

cli.run_server = lambda *args, **kwargs: None
code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "first": first[0] if first else None}))
"""


def test_the_list_names_every_command() -> None:
    assert set(ARGUMENTS) == set(cli._handlers), "add the new command to ARGUMENTS"


def test_every_command_knows_every_table_before_its_first_statement(tmp_path: Path) -> None:
    every_table = sorted(Base.metadata.tables)
    env = environment(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    missing = {}
    # In order: the first migrates the new database, the others work on it.
    for name, argv in ARGUMENTS.items():
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *argv],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0 and done.stdout, f"{name}: {done.stderr}"
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert report["first"] is not None, f"{name} never touched the database"
        if unknown := sorted(set(every_table) - set(report["first"]["tables"])):
            missing[name] = (report["first"]["statement"][:60], unknown)
    assert not missing, "\n".join(
        f"{name}: {statement!r} sent before {len(tables)} tables were known, e.g. {tables[:3]}"
        for name, (statement, tables) in missing.items()
    )


def test_the_web_app_knows_every_table_once_it_is_built(tmp_path: Path) -> None:
    """The other entry point: what uvicorn's workers build (app.main:app_factory)."""
    probe = (
        "import json; from app.main import create_app; from app.db import Base; "
        "create_app(); print(json.dumps(sorted(Base.metadata.tables)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=environment(f"sqlite:///{tmp_path / 'web.db'}", tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == sorted(Base.metadata.tables)
