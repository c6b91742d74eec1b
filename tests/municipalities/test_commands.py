"""`allmende municipalities import` as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.db import make_engine
from app.demo import DEMO_REGISTRY
from app.municipalities.models import Municipality


@pytest.fixture
def cli_env(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("ALLMENDE_ENV", "test")
    return fresh_database_url


def _count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Municipality))
    engine.dispose()
    return int(count or 0)


def test_import_prints_totals_last_and_is_idempotent(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [line for line in DEMO_REGISTRY.read_text(encoding="utf-8").split("\n") if line]
    assert main(["municipalities", "import", str(DEMO_REGISTRY)]) == 0
    first = capsys.readouterr().out.strip().splitlines()
    assert first[-1] == f"created={len(lines)} updated=0 unchanged=0 deactivated=0"
    assert main(["municipalities", "import", str(DEMO_REGISTRY)]) == 0
    second = capsys.readouterr().out.strip().splitlines()
    assert second[-1] == f"created=0 updated=0 unchanged={len(lines)} deactivated=0"
    assert "nothing changed" in second[-2]


def test_a_malformed_line_aborts_and_leaves_the_database_as_it_was(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = DEMO_REGISTRY.read_text(encoding="utf-8").split("\n")
    lines.insert(30, "60XXXX")
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines), encoding="utf-8")
    assert main(["municipalities", "import", str(broken)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "line 31:" in captured.err
    assert "Traceback" not in captured.err
    assert _count(cli_env) == 0


@pytest.mark.parametrize("name", ["missing.txt", "."])
def test_a_missing_file_or_directory_is_one_line_on_stderr(
    cli_env: str, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["municipalities", "import", str(tmp_path / name)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("allmende: ") and err.count("\n") == 1


def test_import_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["municipalities", "import", str(DEMO_REGISTRY)]) == 1
    assert "allmende db upgrade" in capsys.readouterr().err
