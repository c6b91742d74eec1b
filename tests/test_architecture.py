"""The house's rules are executable: the import-linter contracts in pyproject.toml hold, they
name every package of app/, and they fail on an upward import or a cycle between packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _layered() -> set[str]:
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    assert isinstance(layers, list)
    return {name.strip() for line in layers for name in str(line).replace(":", "|").split("|")}


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    """The package and the contracts, somewhere a change cannot touch the real tree."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_every_package_of_app_has_its_place_in_the_layers() -> None:
    packages = {
        f"app.{path.stem}"
        for path in (ROOT / "app").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert packages - _layered() == set(), "name the new package's layer in pyproject.toml"


def test_the_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A domain reaching up: Vorhaben importing notifications (once hidden in a function).
        ("app/vorhaben/service.py", "import app.notifications.service", "Layers"),
        # The shell reaching into a domain.
        ("app/web/templating.py", "import app.vorhaben.models", "Layers"),
        # A cycle between two domains on one line of the layers.
        ("app/search/__init__.py", "import app.notifications", "Layers"),
        # The export reading comments.
        ("app/export/feed.py", "import app.comments.models", "export never reads comments"),
    ],
)
def test_an_upward_import_or_a_cycle_fails_the_lint(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    copy = _copy(tmp_path)
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", "utf-8")
    result = _lint(copy)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert any(broken in row and "BROKEN" in row for row in result.stdout.splitlines())
