"""`allmende serve` and `allmende demo` as started from a shell: they answer on their port,
and Ctrl+C stops them cleanly."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable

import httpx2
import pytest

from app.web.templating import ROOT
from tests.cli.conftest import Run, Server

pytestmark = [pytest.mark.commits(only=True), pytest.mark.cli]


def test_serve_answers_health_and_readiness_and_stops_on_ctrl_c(
    start_server: Callable[..., Server],
) -> None:
    server = start_server("serve")
    server.wait_until_healthy()
    health = httpx2.get(f"{server.base_url}/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = httpx2.get(f"{server.base_url}/readyz")
    assert ready.status_code == 200, ready.text
    login = httpx2.get(f"{server.base_url}/login")
    assert login.status_code == 200 and "Anmelden" in login.text
    code, out, err = server.stop()
    assert code == 0, err
    assert "Allmende serves on http://127.0.0.1:" in out
    assert "Traceback" not in err


def test_demo_serves_demo_content_to_a_persona(start_server: Callable[..., Server]) -> None:
    server = start_server("demo", dev_login="1")
    server.wait_until_healthy(timeout=120)  # it migrates and loads the demo data first
    with httpx2.Client(base_url=server.base_url, follow_redirects=False) as browser:
        page = browser.get("/dev/login")
        assert page.status_code == 200
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
        assert token is not None
        signed_in = browser.post(
            "/dev/login", data={"csrf_token": token.group(1), "persona": "leipzig"}
        )
        assert signed_in.status_code == 303, signed_in.text
        listing = browser.get("/vorhaben")
        assert listing.status_code == 200
        content = json.loads((ROOT / "app" / "demo_data" / "content.json").read_text("utf-8"))
        shown = [item["title"] for item in content["vorhaben"] if item["title"] in listing.text]
        assert len(shown) >= 5, shown
    code, out, err = server.stop()
    assert code == 0, err
    assert "demo personas ready" in out and "demo Vorhaben with comments" in out
    assert "Traceback" not in err


@pytest.mark.parametrize("port", ["0", "99999", "http"])
def test_serve_refuses_a_port_that_does_not_exist(allmende: Run, port: str) -> None:
    """Not a server on another port than the one it announces (99999 listened on 34463)."""
    result = allmende("serve", "--port", port, timeout=30)
    assert result.code == 2 and result.out == ""
    assert "argument --port: a port is a number from 1 to 65535" in result.err
    assert "Traceback" not in result.err


def test_serve_on_a_port_in_use_says_so_in_one_line(allmende: Run) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = allmende("serve", "--port", str(port), timeout=30)
    result.assert_refused(f"port {port} on 127.0.0.1 is already in use by another program")
    assert f"--port {port + 1}" in result.err
