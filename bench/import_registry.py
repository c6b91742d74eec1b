"""Benchmark: import the full Destatis GV100AD file on SQLite and PostgreSQL.

    .venv/bin/python bench/import_registry.py [--file ../shared/data/destatis/GV100AD_30112025.txt]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Times the first import (everything created) and the second (everything unchanged) into a
fresh, migrated database of each kind. Goal: under 10 s each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import make_url, text

from app import migrate
from app.db import make_engine, make_session_factory, unit_of_work
from app.municipalities import gv100ad, service

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared/data/destatis/GV100AD_30112025.txt"


def _fresh_postgres(url: str) -> str:
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "allmende_bench_import" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "allmende_bench_import"'))
    admin.dispose()
    return make_url(url).set(database="allmende_bench_import").render_as_string(hide_password=False)


def run(kind: str, url: str, path: Path) -> list[tuple[str, str, float, str]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    rows = []
    for attempt in ("first import", "second import"):
        started = time.perf_counter()
        records = gv100ad.read_file(path)
        with unit_of_work(factory) as session:
            result = service.import_registry(session, records)
        elapsed = time.perf_counter() - started
        rows.append((kind, attempt, elapsed, result.total.line()))
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    rows: list[tuple[str, str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += run("SQLite", f"sqlite:///{tmp}/bench.db", args.file)
    if args.postgres:
        rows += run("PostgreSQL", _fresh_postgres(args.postgres), args.file)
    print("| database | run | seconds | result |")
    print("|---|---|---:|---|")
    for kind, attempt, elapsed, line in rows:
        print(f"| {kind} | {attempt} | {elapsed:.2f} | {line} |")


if __name__ == "__main__":
    main()
