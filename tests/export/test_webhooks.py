"""Signed webhooks to a real HTTP server on loopback, verified with the reference
`standardwebhooks` library: retries under the same webhook-id, Retry-After, 410, no
redirects, private targets refused, secret rotation."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.config import Settings
from app.core import clock
from app.export import partners, service, webhooks
from app.export.models import WebhookEndpoint
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.outbox.worker import Worker
from tests.publishing import Scene, publish


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.received.append(Received(headers, self.rfile.read(length)))
            status, headers = state.answers.pop(0) if state.answers else (204, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"webhooks_allow_private": True}


def _deliver(
    settings: Settings, session_factory: sessionmaker[Session], *, retry_now: bool = False
) -> int:
    worker = Worker(settings, session_factory, jobs=[("none", lambda db, s: 0)])
    return worker.deliver_due(retry_now=retry_now, channel=Channel.WEBHOOK)


def _register(db: Session, settings: Settings, url: str) -> tuple[WebhookEndpoint, str]:
    partner, _key = partners.create(db, "Civic Platform", contact_email="ops@civic.example")
    return partners.add_webhook(db, settings, partner, url)


def test_publication_withdrawal_are_pushed_and_verify(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _endpoint, secret = _register(db, settings, receiver.url)
    assert secret.startswith("whsec_")
    publication = publish(db, settings, scene)
    service.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    db.flush()
    assert _deliver(settings, session_factory) == 2
    verifier = Webhook(secret)
    events = []
    for message in receiver.received:
        payload = verifier.verify(message.body, message.headers)
        events.append((payload["type"], payload["data"]["id"], payload["data"]["deleted"]))
        assert message.headers["content-type"] == "application/json"
    assert events == [
        ("project.published", publication.id, False),
        ("project.withdrawn", publication.id, True),
    ]
    body = json.loads(receiver.received[1].body)
    assert set(body) == {"type", "timestamp", "data"}
    assert set(body["data"]) == {"id", "type", "created", "modified", "deleted"}


def test_failures_retry_under_the_same_webhook_id(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _endpoint, secret = _register(db, settings, receiver.url)
    receiver.answers = [(500, {}), (503, {"Retry-After": "120"}), (302, {"Location": "/x"})]
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    db.refresh(row)
    assert row.state is DeliveryState.PENDING and row.attempts == 1 and "500" in str(row.last_error)
    _deliver(settings, session_factory, retry_now=True)
    db.refresh(row)
    # Retry-After is honoured (120 s), not the shorter backoff.
    wait = row.next_attempt_at - clock.utcnow()
    assert dt.timedelta(seconds=110) < wait <= dt.timedelta(seconds=121)
    _deliver(settings, session_factory, retry_now=True)  # a redirect is not followed
    db.refresh(row)
    assert row.state is DeliveryState.PENDING and "302" in str(row.last_error)
    _deliver(settings, session_factory, retry_now=True)
    db.refresh(row)
    assert row.state is DeliveryState.DELIVERED and row.attempts == 4
    ids = {message.headers["webhook-id"] for message in receiver.received}
    assert ids == {row.message_key} and len(receiver.received) == 4
    for message in receiver.received:
        Webhook(secret).verify(message.body, message.headers)


def test_410_disables_the_endpoint_and_tells_the_partner(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, _secret = _register(db, settings, receiver.url)
    receiver.answers = [(410, {})]
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    db.refresh(endpoint)
    assert endpoint.active is False and "410" in str(endpoint.disabled_reason)
    mails = [
        row.payload
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.MAIL))
    ]
    assert any(
        mail["to"] == "ops@civic.example" and "abgeschaltet" in mail["subject"] for mail in mails
    )


def test_retries_go_on_for_more_than_a_day_then_stop(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _register(db, settings, receiver.url)
    receiver.answers = [(500, {})] * 50
    publish(db, settings, scene)
    db.flush()
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    for hours in (1, 12, 25, 40):
        clock.travel(dt.timedelta(hours=hours) - (clock.utcnow() - row.created_at))
        _deliver(settings, session_factory, retry_now=True)
        db.refresh(row)
        assert row.state is DeliveryState.PENDING, hours
    clock.travel(dt.timedelta(hours=9))
    _deliver(settings, session_factory, retry_now=True)
    db.refresh(row)
    assert row.state is DeliveryState.FAILED


def test_rotation_sends_both_signatures(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, old = _register(db, settings, receiver.url)
    new = partners.rotate_secret(db, endpoint)
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    [message] = receiver.received
    assert len(message.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(message.body, message.headers)
    Webhook(new).verify(message.body, message.headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
        "ftp://example.org/x",
        "https://user:pw@example.org/x",
        "http://localhost/x",
    ],
)
def test_private_or_odd_targets_are_refused(settings: Settings, url: str) -> None:
    strict = settings.model_copy(update={"webhooks_allow_private": False})
    with pytest.raises(webhooks.UnsafeTarget):
        webhooks.check_url(url, strict)


def test_a_target_is_checked_again_at_call_time(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _register(db, settings, receiver.url)  # allowed while the test setting is on
    publish(db, settings, scene)
    db.flush()
    strict = settings.model_copy(update={"webhooks_allow_private": False})
    _deliver(strict, session_factory)
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    db.refresh(row)
    assert row.state is DeliveryState.PENDING and "refused" in str(row.last_error)
    assert receiver.received == []


def test_admins_see_deliveries_and_redeliver(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, _secret = _register(db, settings, receiver.url)
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    [row] = partners.deliveries(db, endpoint.id)
    db.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    partners.redeliver(db, endpoint.id, row.id)
    _deliver(settings, session_factory)
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]


def test_a_hanging_partner_does_not_hold_up_the_others(fresh_database_url: str) -> None:
    """Webhooks go out in parallel threads: while one partner does not answer, deliveries
    to another partner arrive, and afterwards every message is delivered exactly once."""
    from app.config import load_settings
    from app.db import make_engine, make_session_factory, unit_of_work
    from tests.conftest import TEST_SECRET
    from tests.publishing import make_scene

    settings = load_settings(
        env="test",
        database_url=fresh_database_url,
        secret_key=TEST_SECRET,
        webhooks_allow_private=True,
        webhook_concurrency=4,
    )
    fast_done = threading.Event()
    fast_count = 0
    slow_saw_fast = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            nonlocal fast_count
            self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path == "/slow":
                # Hangs until the fast partner has everything (or gives up after 10 s).
                slow_saw_fast.append(fast_done.wait(timeout=10))
            else:
                with lock:
                    fast_count += 1
                    if fast_count == 3:
                        fast_done.set()
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    engine = make_engine(fresh_database_url)
    sessions = make_session_factory(engine)
    try:
        with unit_of_work(sessions) as db:
            scene = make_scene(db)
            slow, _ = partners.add_webhook(
                db, settings, partners.create(db, "Slow")[0], f"{base}/slow"
            )
            partners.add_webhook(db, settings, partners.create(db, "Fast")[0], f"{base}/fast")
            publish(db, settings, scene)
            publish(db, settings, scene, title="Zweite Fassung")
            publish(db, settings, scene, title="Dritte Fassung")
        worker = Worker(settings, sessions, jobs=[("none", lambda db, s: 0)])
        assert worker.parallelism() == 4
        assert worker.deliver_due(channel=Channel.WEBHOOK) == 6
        assert slow_saw_fast == [True, True, True]
        with unit_of_work(sessions) as db:
            rows = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK))
            states = sorted((row.webhook_endpoint_id == slow.id, row.state) for row in rows)
        assert (
            states == [(False, DeliveryState.DELIVERED)] * 3 + [(True, DeliveryState.DELIVERED)] * 3
        )
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()


def test_sessions_on_one_connection_deliver_one_at_a_time(
    settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    assert Worker(settings, session_factory, jobs=[]).parallelism() == 1
