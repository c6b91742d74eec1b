"""`make run` / `allmende demo`: another port, a taken port, mails delivered in the demo."""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from app import cli, demo, migrate
from app.config import Settings, load_settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.municipalities import organisations
from app.municipalities import service as municipalities
from app.outbox import service as outbox
from app.outbox.models import DeliveryState, OutboxMessage

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("ALLMENDE_DATABASE_URL", url)
    monkeypatch.setenv("ALLMENDE_DEV_LOGIN", "1")
    return url


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Settings, str, int]]:
    """Stands in for uvicorn: records what `allmende demo` would serve."""
    calls: list[tuple[Settings, str, int]] = []

    def fake_run_server(settings: Settings, host: str, port: int, workers: int) -> None:
        calls.append((settings, host, port))

    monkeypatch.setattr(cli, "run_server", fake_run_server)
    monkeypatch.setattr(
        demo, "start_delivery", lambda settings, engine: SimpleNamespace(stop=lambda: None)
    )
    return calls


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_another_port_moves_the_console_and_the_base_url_with_it(
    demo_database: str, served: list[tuple[Settings, str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    assert cli.main(["demo", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}/dev/login" in out
    assert ":8000" not in out
    [(settings, host, served_port)] = served
    assert (host, served_port) == ("127.0.0.1", port)
    # Feed links and mails are built from the base URL.
    assert settings.base_url == f"http://127.0.0.1:{port}"


def test_a_base_url_the_operator_set_is_kept(
    demo_database: str,
    served: list[tuple[Settings, str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLMENDE_BASE_URL", "https://demo.allmende.example")
    assert cli.main(["demo", "--port", str(_free_port())]) == 0
    assert served[0][0].base_url == "https://demo.allmende.example"


def test_all_interfaces_still_give_a_base_url_a_browser_can_open(
    demo_database: str, served: list[tuple[Settings, str, int]]
) -> None:
    port = _free_port()
    assert cli.main(["demo", "--host", "0.0.0.0", "--port", str(port)]) == 0  # noqa: S104
    assert served[0][0].base_url == f"http://127.0.0.1:{port}"


def test_a_taken_port_is_one_clear_line_before_any_work(
    demo_database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["demo", "--port", str(port)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.count("\n") == 1
    assert f"port {port}" in captured.err and "already in use" in captured.err
    assert "PORT=" in captured.err
    assert "Traceback" not in captured.err
    assert not (tmp_path / "demo.db").exists()  # refused before migrating anything


def test_serve_refuses_a_taken_port_with_one_line(
    demo_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo", "--no-serve"]) == 0
    capsys.readouterr()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "already in use" in err


def test_make_run_passes_port_and_host_to_the_demo() -> None:
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=8001", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    [line] = [line for line in plan.splitlines() if "allmende demo" in line]
    assert "--port 8001" in line and "--host 0.0.0.0" in line
    default = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--port 8000" in default and "--host 127.0.0.1" in default


@pytest.fixture
def delivery_settings(tmp_path: Path) -> Settings:
    settings = load_settings(
        env="development", database_url=f"sqlite:///{tmp_path / 'mail.db'}", dev_login=True
    )
    engine = make_engine(settings.database_url)

    migrate.upgrade(engine)
    engine.dispose()
    return settings


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_demo_delivers_mails_in_its_own_process(
    delivery_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="allmende.mail")
    engine = make_engine(delivery_settings.database_url)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as db:
        outbox.enqueue_mail(
            db, to="lena@leipzig.example", subject="Willkommen", text="Hallo", html=""
        )
    delivery = demo.start_delivery(delivery_settings, engine, poll_seconds=0.05)
    try:

        def delivered() -> bool:
            with sessions() as db:
                return (
                    db.scalar(select(OutboxMessage.state).where(OutboxMessage.channel == "mail"))
                    is DeliveryState.DELIVERED
                )

        _wait_for(delivered)
    finally:
        delivery.stop()
        engine.dispose()
    assert not delivery.is_alive()
    assert any("lena@leipzig.example" in str(record.__dict__) for record in caplog.records)


def test_the_demo_offers_its_organisations_once(demo_database: str) -> None:
    """The demo's organisations (docs/organisations.md) are there after each start, once."""
    settings = load_settings()
    engine = make_engine(demo_database)
    for _start in range(2):
        demo.prepare(settings, engine, lambda line: None, registry=None)
    with unit_of_work(make_session_factory(engine)) as db:
        found = municipalities.search(db, "Wien")
        names = sorted(entry.name for entry in organisations.listing(db))
    assert names == sorted(name for name, _kind, _country in demo.DEMO_ORGANISATIONS)
    assert "Stadt Wien (Kommune im Ausland, Österreich)" in [entry.display_name for entry in found]
    engine.dispose()
