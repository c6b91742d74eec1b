"""Start the test-only Node.js OpenID Provider (tests/oidc_node/provider.mjs).

Usage from pytest::

    from tests.oidc_node.harness import node_available, run_node_provider

    pytestmark = pytest.mark.skipif(not node_available(), reason="node/oidc-provider missing")

    with run_node_provider({"clients": [...], "accounts": {...}}) as op:
        op.issuer  # "http://127.0.0.1:PORT"

Only the standard library and httpx2 are used.
"""

from __future__ import annotations

import collections
import html.parser
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import httpx2

HERE = Path(__file__).resolve().parent
PROVIDER_SCRIPT = HERE / "provider.mjs"
READY_TIMEOUT_SECONDS = 20.0

__all__ = [
    "NodeProvider",
    "NodeProviderError",
    "follow_browser_redirects",
    "node_available",
    "run_node_provider",
]


class NodeProviderError(RuntimeError):
    """The Node.js provider could not be started or an admin call failed."""


def node_available() -> bool:
    """True if ``node`` is on PATH and ``npm ci`` has installed oidc-provider here."""
    return (
        shutil.which("node") is not None
        and (HERE / "node_modules" / "oidc-provider" / "package.json").is_file()
    )


class NodeProvider:
    """A running provider.mjs process; create it via :func:`run_node_provider`."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        issuer: str,
        stderr_lines: collections.deque[str],
        readers: list[threading.Thread],
    ) -> None:
        self.process = process
        self.issuer = issuer
        self._stderr_lines = stderr_lines
        self._readers = readers

    def __repr__(self) -> str:
        return f"NodeProvider(issuer={self.issuer!r}, pid={self.process.pid})"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stderr_text(self) -> str:
        """The provider's recent log output (last 500 lines)."""
        return "".join(self._stderr_lines)

    def backchannel_logout(self, client_id: str, sub: str, sid: str) -> int:
        """Make the OP send a real back-channel logout token to the client's
        ``backchannel_logout_uri``; return the HTTP status the RP answered.

        Raises NodeProviderError if no HTTP answer was received (e.g. connection refused).
        """
        data = self.backchannel_logout_details(client_id, sub, sid)
        status = data.get("status")
        if not isinstance(status, int):
            raise NodeProviderError(f"back-channel logout got no HTTP answer: {data.get('error')}")
        return status

    def backchannel_logout_details(self, client_id: str, sub: str, sid: str) -> dict[str, Any]:
        """Like :meth:`backchannel_logout` but return ``{"status", "logout_token", "error"}``."""
        body = {"client_id": client_id, "sub": sub, "sid": sid}
        return self._admin("POST", "/test/backchannel-logout", json_body=body)

    def logout_token(self, client_id: str, sub: str | None, sid: str | None) -> str:
        """A freshly signed, valid logout token (new ``jti`` each call); not sent anywhere."""
        params = {k: v for k, v in {"client_id": client_id, "sub": sub, "sid": sid}.items() if v}
        token = self._admin("GET", "/test/logout-token", params=params).get("logout_token")
        if not isinstance(token, str):
            raise NodeProviderError("no logout_token in response")
        return token

    def sign_jwt(self, payload: Mapping[str, Any], header: Mapping[str, Any] | None = None) -> str:
        """Sign arbitrary claims with the OP's RS256 key (for crafting invalid tokens)."""
        body: dict[str, Any] = {"payload": dict(payload), "header": dict(header or {})}
        jwt = self._admin("POST", "/test/sign", json_body=body).get("jwt")
        if not isinstance(jwt, str):
            raise NodeProviderError("no jwt in response")
        return jwt

    def _admin(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        url = self.issuer + path
        response = httpx2.request(method, url, json=json_body, params=params, timeout=10.0)
        if response.status_code != 200:
            raise NodeProviderError(f"{method} {path} -> {response.status_code}: {response.text}")
        data = response.json()
        if not isinstance(data, dict):
            raise NodeProviderError(f"{method} {path}: unexpected body {data!r}")
        return data

    def stop(self) -> None:
        """Stop the provider (idempotent): close stdin, SIGTERM, SIGKILL after 5 s."""
        proc = self.process
        if proc.stdin is not None and not proc.stdin.closed:
            with suppress(OSError):
                proc.stdin.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        # The reader threads end at EOF; close the pipes only after they are done
        # (closing under a blocked reader would raise inside the thread).
        for reader in self._readers:
            reader.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None and not stream.closed:
                with suppress(OSError):
                    stream.close()


class _FormParser(html.parser.HTMLParser):
    """Finds the first ``<form method="post">`` and its ``<input>`` name/value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done and a.get("method", "").lower() == "post":
            self.action = a.get("action", "")
            self._in_form = True
        elif tag == "input" and self._in_form and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def follow_browser_redirects(
    client: httpx2.Client, url: str, *, stop_at: str, max_hops: int = 20
) -> str:
    """Act like a browser on the OP until it sends us to a URL starting with ``stop_at``.

    Follows 3xx redirects and submits the OP's self-submitting POST forms (the
    end-session confirmation, and the logout oidc-provider inserts when the
    login_hint account differs from the current session's account). ``client``
    must not follow redirects itself; its cookie jar carries the OP session.
    Returns the URL that starts with ``stop_at`` (without requesting it), e.g.
    the RP's redirect_uri with ``code``/``state``/``iss`` or ``error``.
    """
    response = client.get(url)
    for _ in range(max_hops):
        if response.is_redirect:
            url = str(response.url.join(response.headers["location"]))
            if url.startswith(stop_at):
                return url
            response = client.get(url)
            continue
        form = _FormParser()
        form.feed(response.text)
        if response.status_code == 200 and form.action is not None:
            target = str(response.url.join(form.action))
            if target.startswith(stop_at):
                raise NodeProviderError("response_mode=form_post is not supported here")
            response = client.post(target, data=form.fields)
            continue
        raise NodeProviderError(
            f"OP answered {response.status_code} at {response.url} "
            f"without redirect or form: {response.text[:500]}"
        )
    raise NodeProviderError(f"more than {max_hops} hops without reaching {stop_at}")


def _drain_stdout(stream: IO[str], early_lines: list[str], ready: threading.Event) -> None:
    """Collect stdout up to the READY line, then keep draining (nothing else is expected)."""
    for line in stream:
        if not ready.is_set():
            early_lines.append(line)
            if line.startswith("READY "):
                ready.set()
    ready.set()  # EOF: the process exited


def _drain_stderr(stream: IO[str], sink: collections.deque[str]) -> None:
    for line in stream:
        sink.append(line)


@contextmanager
def run_node_provider(config: Mapping[str, Any], *, port: int = 0) -> Iterator[NodeProvider]:
    """Spawn ``node provider.mjs`` with ``OIDC_CONFIG=json(config)``; yield once it is listening."""
    node = shutil.which("node")
    if node is None:
        raise NodeProviderError("node is not installed")
    env = dict(os.environ)
    env["OIDC_PORT"] = str(port)
    env["OIDC_CONFIG"] = json.dumps(config)
    env.pop("NODE_OPTIONS", None)

    proc = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT)],
        cwd=HERE,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        bufsize=1,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    stderr_lines: collections.deque[str] = collections.deque(maxlen=500)
    early_stdout: list[str] = []
    ready = threading.Event()
    readers = [
        threading.Thread(
            target=_drain_stdout, args=(proc.stdout, early_stdout, ready), daemon=True
        ),
        threading.Thread(target=_drain_stderr, args=(proc.stderr, stderr_lines), daemon=True),
    ]
    for reader in readers:
        reader.start()

    provider = NodeProvider(proc, "", stderr_lines, readers)
    try:
        if not ready.wait(timeout=READY_TIMEOUT_SECONDS):
            raise NodeProviderError(
                f"provider not ready after {READY_TIMEOUT_SECONDS:.0f}s; "
                f"stderr:\n{provider.stderr_text()}"
            )
        ready_line = next((line for line in early_stdout if line.startswith("READY ")), None)
        if ready_line is None:
            provider.stop()  # the process already exited; this collects its output
            raise NodeProviderError(
                f"provider exited with {proc.returncode} before READY; "
                f"stdout: {''.join(early_stdout)!r}; stderr:\n{provider.stderr_text()}"
            )
        provider.issuer = ready_line.split(" ", 1)[1].strip()
        yield provider
    finally:
        provider.stop()
