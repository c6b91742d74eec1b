"""Browser tests: Debian's Chromium driven by Playwright against a live server, plus axe.

They run where a Chromium is found and are required under CI=true. The live server has a
SQLite database of its own (committed for real), shared by the tests of one module.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.models import Account
from app.auth import sessions
from app.config import Settings, load_settings
from app.core.clock import utcnow
from app.db import make_engine, make_session_factory
from app.demo import DEMO_REGISTRY
from app.demo_content import load as load_demo
from app.main import create_app
from app.membership.personas import account_for, seed_personas
from app.municipalities import gv100ad
from app.municipalities import service as municipalities
from app.web import csrf
from tests.conftest import TEST_SECRET, create_database

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# How long a browser waits for a page, an element or an expectation. A wait ends as soon as
# its condition holds, so only a failing test waits this long; 8-10 s was too short on a
# loaded machine (CI saw a page load time out with two test workers, Chromium and both
# databases busy).
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    configured = os.environ.get("ALLMENDE_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.nodeid.split("::")[0]:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium found: install Debian's chromium package")
        pytest.skip("no Chromium on this machine (install Debian's chromium to run these)")
    return path


@pytest.fixture(scope="session")
def playwright_instance(chromium_path: str) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright, chromium_path: str) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class LiveServer:
    url: str
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    thread: threading.Thread
    server: uvicorn.Server
    sock: socket.socket

    def session(self) -> Session:
        return self.sessions()


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start_live_server(database_url: str, **overrides: Any) -> LiveServer:
    """Serve a fresh app on a random loopback port in a background thread."""
    sock = _free_socket()
    port = sock.getsockname()[1]
    settings = load_settings(
        env="test",
        database_url=database_url,
        secret_key=TEST_SECRET,
        base_url=f"http://127.0.0.1:{port}",
        **overrides,
    )
    engine = make_engine(database_url)
    app = create_app(settings, engine=engine)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    return LiveServer(
        url=f"http://127.0.0.1:{port}",
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        thread=thread,
        server=server,
        sock=sock,
    )


def stop_live_server(live: LiveServer) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=10)
    live.sock.close()
    live.engine.dispose()


@pytest.fixture(scope="module")
def live_database(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> str:
    return create_database("sqlite", "browser", tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def live_server_overrides() -> dict[str, Any]:
    """Override in a module for other settings (e.g. dev_login)."""
    return {}


@pytest.fixture(scope="module")
def live_server(live_database: str, live_server_overrides: dict[str, Any]) -> Iterator[LiveServer]:
    live = start_live_server(live_database, **live_server_overrides)
    yield live
    stop_live_server(live)


@dataclass
class ConsoleLog:
    errors: list[str] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, console: ConsoleLog) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test; CSP violations fail the test."""
    context = browser.new_context(locale="de-DE", java_script_enabled=True)
    page = context.new_page()
    page.on("console", console.record)
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
    violations = [error for error in console.errors if "Content Security Policy" in error]
    assert not violations, f"CSP violations: {violations}"


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


AXE_SECONDS = 30.0
# With JavaScript off Chromium runs neither the page's timers nor queueMicrotask(), and
# axe.run() waits on setTimeout: its promise never settles, and page.evaluate() has no
# timeout, so awaiting it waited forever (the message test that hung). So axe is started
# without awaiting it, and polled with short evaluations, each of which returns at once; with
# JavaScript off, the timers axe sets are kept in a queue that every poll runs.
TIMERS_IN_A_QUEUE = """() => {
  window.__axeTimers = [];
  window.setTimeout = (run, _ms, ...args) => {
    window.__axeTimers.push(() => run(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""
START_AXE = """(options) => {
  window.__axeResult = undefined;
  axe.run(document, options).then(
    (found) => { window.__axeResult = found; },
    (error) => { window.__axeResult = {error: String(error)}; });
}"""
POLL_AXE = """() => {
  for (const run of (window.__axeTimers || []).splice(0)) run();
  return window.__axeResult;
}"""


def _timers_run(page: Page) -> bool:
    page.evaluate(
        "() => { window.__timerRan = false; setTimeout(() => { window.__timerRan = true; }); }"
    )
    deadline = time.monotonic() + 1.0
    while not page.evaluate("() => window.__timerRan"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def run_axe(page: Page, options: dict[str, Any]) -> dict[str, Any]:
    """axe-core's results for the page, JavaScript on or off; fails, never hangs, when axe
    does not finish within AXE_SECONDS."""
    if not _timers_run(page):
        page.evaluate(TIMERS_IN_A_QUEUE)
    page.evaluate(Axe().axe_script)
    page.evaluate(START_AXE, options)
    deadline = time.monotonic() + AXE_SECONDS
    while (found := page.evaluate(POLL_AXE)) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"axe did not finish within {AXE_SECONDS:.0f} s on {page.url}")
        time.sleep(0.01)
    if "error" in found:
        pytest.fail(f"axe failed on {page.url}: {found['error']}")
    return cast(dict[str, Any], found)


def assert_accessible(page: Page, what: str = "") -> None:
    """No WCAG 2.1 A/AA violation on the current page, as axe-core sees it (also with
    JavaScript off: see run_axe)."""
    results = run_axe(
        page,
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.get("violations", [])
    if violations:
        lines = []
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
            )
        pytest.fail(f"axe found violations on {what or page.url}:\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> LiveServer:
    """The module's live server with the demo registry, personas and demo content."""
    with live_server.session() as db:
        municipalities.import_registry(
            db, gv100ad.read_file(DEMO_REGISTRY), deactivate_missing=False
        )
        seed_personas(db)
        load_demo(db, live_server.settings)
        db.commit()
    return live_server


def signed_in_context(
    browser: Browser,
    live: LiveServer,
    account_id: int,
    *,
    js: bool = True,
    provider: str | None = None,
) -> BrowserContext:
    """A browser context carrying a fresh server-side session of this account."""
    with live.session() as db:
        account = db.get(Account, account_id)
        assert account is not None
        token = sessions.create(
            db, live.settings, account, provider=provider, auth_time=utcnow()
        ).token
        db.commit()
    context = browser.new_context(locale="de-DE", java_script_enabled=js)
    context.add_cookies(
        [
            {
                "name": csrf.session_cookie_name(live.settings),
                "value": token,
                "url": live.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    return context


def persona_context(
    browser: Browser, live: LiveServer, persona: str, *, js: bool = True
) -> BrowserContext:
    """signed_in_context() for one of the development sign-in's personas."""
    with live.session() as db:
        account = account_for(db, persona)
        assert account is not None
        account_id = account.id
    return signed_in_context(browser, live, account_id, js=js)


@contextmanager
def persona_page(
    browser: Browser, live: LiveServer, persona: str, *, js: bool = True
) -> Iterator[Page]:
    """A page signed in as a persona (TIMEOUT_MS), its context closed afterwards."""
    context = persona_context(browser, live, persona, js=js)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page
    finally:
        context.close()


@pytest.fixture
def member_page(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    context = persona_context(browser, demo, "muenchen")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def member_page_without_js(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    context = persona_context(browser, demo, "leipzig", js=False)
    page = context.new_page()
    yield page
    context.close()
