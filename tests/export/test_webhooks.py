"""Signed webhooks to a real HTTP server on loopback, verified with the reference
`standardwebhooks` library: retries under the same webhook-id, Retry-After, 410, no
redirects, targets checked again at call time, secret rotation, order per project, the admin
pages. Where webhooks may go: test_webhook_targets.py; parallel workers:
test_webhook_workers.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks.webhooks import Webhook

from app.audit.models import AuditEvent
from app.config import Settings
from app.core import clock
from app.export import delivery, partners, withdrawal
from app.export.models import WebhookEndpoint
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.worker import delivery as webhook_worker
from tests import factories
from tests.export.contract import check_item, check_tombstone
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
    worker = webhook_worker(settings, session_factory)
    return worker.deliver_due(retry_now=retry_now, channel=Channel.WEBHOOK)


def _register(db: Session, settings: Settings, url: str) -> tuple[WebhookEndpoint, str]:
    partner, _key = partners.create(db, "Civic Platform", contact_email="ops@civic.example")
    return partners.add_webhook(db, settings, partner, url)


def _published_and_delivered(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
    answers: list[tuple[int, dict[str, str]]] | None = None,
) -> tuple[WebhookEndpoint, str]:
    """An endpoint on the receiver (answering `answers` first), a publication, one delivery
    run of the worker."""
    endpoint, secret = _register(db, settings, receiver.url)
    if answers is not None:
        receiver.answers = answers
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    return endpoint, secret


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
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
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
    check_item(json.loads(receiver.received[0].body)["data"], "http://testserver")
    check_tombstone(body["data"])


def test_failures_retry_under_the_same_webhook_id(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _endpoint, secret = _published_and_delivered(
        db,
        settings,
        session_factory,
        scene,
        receiver,
        [(500, {}), (503, {"Retry-After": "120"}), (302, {"Location": "/x"})],
    )
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
    endpoint, _secret = _published_and_delivered(
        db, settings, session_factory, scene, receiver, [(410, {})]
    )
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
    endpoint, _secret = _register(db, settings, receiver.url)
    receiver.answers = [(500, {})] * 50
    publish(db, settings, scene)
    db.flush()
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    for hours in (1, 12, 25, 40, 47):
        clock.travel(dt.timedelta(hours=hours) - (clock.utcnow() - row.created_at))
        _deliver(settings, session_factory, retry_now=True)
        db.refresh(row)
        db.refresh(endpoint)
        assert row.state is DeliveryState.PENDING, hours
        assert endpoint.active, hours  # still retrying: the endpoint stays on
    assert _partner_mails(db) == []
    clock.travel(dt.timedelta(hours=2))
    _deliver(settings, session_factory, retry_now=True)
    db.refresh(row)
    db.refresh(endpoint)
    # Given up after 48 hours: the endpoint is switched off at once and the partner told,
    # without waiting for further changes to fail.
    assert row.state is DeliveryState.FAILED
    assert endpoint.active is False and "48 Stunden" in str(endpoint.disabled_reason)
    [mail] = _partner_mails(db)
    assert "48 Stunden" in mail["text"]
    # Changes from now on are not queued for the switched-off endpoint.
    publish(db, settings, scene, title="Später")
    db.flush()
    assert _deliver(settings, session_factory) == 0


def _partner_mails(db: Session) -> list[dict[str, Any]]:
    return [
        row.payload
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.MAIL))
        if row.payload["to"] == "ops@civic.example"
    ]


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
    endpoint, _secret = _published_and_delivered(db, settings, session_factory, scene, receiver)
    [row] = partners.deliveries(db, endpoint.id)
    db.refresh(row)
    assert row.state is DeliveryState.DELIVERED
    partners.redeliver(db, endpoint.id, row.id)
    _deliver(settings, session_factory)
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]


def _events(receiver: Receiver) -> list[tuple[str, str]]:
    found = []
    for message in receiver.received:
        body = json.loads(message.body)
        found.append((body["type"], body["data"]["id"]))
    return found


def test_a_retried_event_is_not_overtaken_by_later_ones(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _register(db, settings, receiver.url)
    receiver.answers = [(500, {})]
    publication = publish(db, settings, scene)
    db.flush()
    assert _deliver(settings, session_factory) == 1  # fails, waits for its retry
    publish(db, settings, scene, title="Zweite Fassung")
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    db.flush()
    # The later changes of the same project wait behind the one being retried.
    assert _deliver(settings, session_factory) == 0
    assert len(receiver.received) == 1
    _deliver(settings, session_factory, retry_now=True)
    assert _events(receiver) == [
        ("project.published", publication.id),
        ("project.published", publication.id),
        ("project.updated", publication.id),
        ("project.withdrawn", publication.id),
    ]


def test_publishing_again_after_a_withdrawal_is_a_published_event(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _register(db, settings, receiver.url)
    publish(db, settings, scene)
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    publish(db, settings, scene, title="Wieder da")
    db.flush()
    _deliver(settings, session_factory)
    assert [event for event, _id in _events(receiver)] == [
        "project.published",
        "project.withdrawn",
        "project.published",  # partners deleted their copy: it is new to them again
    ]


def test_retry_after_as_an_http_date_is_honoured(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    _register(db, settings, receiver.url)
    later = clock.utcnow() + dt.timedelta(minutes=10)
    receiver.answers = [(503, {"Retry-After": email.utils.format_datetime(later, usegmt=True)})]
    publish(db, settings, scene)
    db.flush()
    _deliver(settings, session_factory)
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    db.refresh(row)
    wait = row.next_attempt_at - clock.utcnow()
    assert dt.timedelta(minutes=9) < wait <= dt.timedelta(minutes=10, seconds=1)


def test_the_timeout_covers_the_whole_request(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A partner that answers one byte every 0.1 s never trips a per-read timeout; the
    deadline for the whole request ends it anyway."""
    monkeypatch.setattr(delivery, "TIMEOUT", 1.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def dribble() -> None:
        connection, _address = listener.accept()
        with connection:
            connection.recv(65536)
            with contextlib.suppress(OSError):
                for byte in b"HTTP/1.1 204 No Content\r\nX-Slow: " + b"x" * 40 + b"\r\n\r\n":
                    connection.sendall(bytes([byte]))
                    time.sleep(0.1)

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    _register(db, settings, f"http://127.0.0.1:{listener.getsockname()[1]}/hook")
    publish(db, settings, scene)
    db.flush()
    started = time.monotonic()
    _deliver(settings, session_factory)
    took = time.monotonic() - started
    listener.close()
    row = db.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.WEBHOOK)).one()
    db.refresh(row)
    assert took < 2.5, took
    assert row.state is DeliveryState.PENDING and "DeadlineExceeded" in str(row.last_error)


def test_admin_pages_show_deliveries_and_redeliver(
    app: FastAPI,
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, _secret = _published_and_delivered(
        db, settings, session_factory, scene, receiver, [(500, {})]
    )
    [row] = partners.deliveries(db, endpoint.id)
    with TestClient(app, follow_redirects=False) as admin:
        factories.login(admin, db, factories.account(db, role=factories.Role.ADMIN))
        page = admin.get(f"/admin/webhooks/{endpoint.id}")
        assert page.status_code == 200
        assert "project.published" in page.text and "HTTP 500" in page.text
        action = f"/admin/webhooks/{endpoint.id}/deliveries/{row.id}/redeliver"
        assert f'action="{action}"' in page.text
        token = factories.csrf_token(admin, f"/admin/webhooks/{endpoint.id}")
        assert admin.post(action, data={"csrf_token": token}).status_code == 303
        db.refresh(row)
        assert row.next_attempt_at <= clock.utcnow()  # due now, not at its backoff
        _deliver(settings, session_factory)
        db.refresh(row)
        assert row.state is DeliveryState.DELIVERED
        after = admin.get(f"/admin/webhooks/{endpoint.id}").text
        assert "HTTP 500" not in after
        wrong = admin.post(
            f"/admin/webhooks/{endpoint.id}/deliveries/999999/redeliver", data={"csrf_token": token}
        )
        assert wrong.status_code == 404
    assert len(receiver.received) == 2
    assert receiver.received[0].headers["webhook-id"] == receiver.received[1].headers["webhook-id"]


def _revocation_stopped_everything(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    endpoint: WebhookEndpoint,
    receiver: Receiver,
) -> None:
    """The endpoint is off, what waited was given up, and nothing reaches the partner."""
    db.refresh(endpoint)
    assert not endpoint.active and endpoint.disabled_reason
    [waiting] = partners.deliveries(db, endpoint.id)
    db.refresh(waiting)
    assert waiting.state is DeliveryState.FAILED
    assert all(key.revoked_at for key in partners.keys_of(db, endpoint.partner_id))
    audited = db.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(("partner_revoked",)))
    ).all()
    assert audited == ["partner_revoked"]
    db.flush()
    _deliver(settings, session_factory, retry_now=True)
    assert receiver.received == []


def test_revoking_a_partner_stops_its_webhooks(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, _secret = _register(db, settings, receiver.url)
    publish(db, settings, scene)  # a delivery waits for the endpoint
    db.flush()
    assert partners.revoke(db, partners.by_name(db, "Civic Platform")) == 1
    # Later changes are not queued for the revoked partner at all.
    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    _revocation_stopped_everything(db, settings, session_factory, endpoint, receiver)


def test_an_admin_revokes_a_partner_and_its_webhooks_stop(
    app: FastAPI,
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    receiver: Receiver,
) -> None:
    endpoint, _secret = _register(db, settings, receiver.url)
    publish(db, settings, scene)
    db.flush()
    page_path = f"/admin/partners/{endpoint.partner_id}"
    action = f"{page_path}/revoke"
    with TestClient(app, follow_redirects=False) as admin:
        factories.login(admin, db, factories.account(db, role=factories.Role.ADMIN))
        assert f'action="{action}"' in admin.get(page_path).text
        token = factories.csrf_token(admin, page_path)
        revoked = admin.post(action, data={"csrf_token": token})
        assert revoked.status_code == 303 and revoked.headers["location"] == page_path
        assert "gesperrt" in admin.get(page_path).text
    _revocation_stopped_everything(db, settings, session_factory, endpoint, receiver)


def test_a_webhook_url_with_a_query_is_shown_only_to_the_admin_who_typed_it(
    app: FastAPI,
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A partner's token in the query of its webhook URL is a credential: the audit log,
    the admin pages after the first, the logs and the partner's mail show the address
    only up to its path."""
    token_in_url = "partner-token-4711"
    url = f"http://127.0.0.1:9/hook?token={token_in_url}"
    partner, _key = partners.create(db, "Civic Platform", contact_email="ops@civic.example")
    page = f"/admin/partners/{partner.id}"
    with TestClient(app, follow_redirects=False) as admin:
        factories.login(admin, db, factories.account(db, role=factories.Role.ADMIN))
        added = admin.post(
            f"{page}/webhooks", data={"csrf_token": factories.csrf_token(admin, page), "url": url}
        )
        assert added.status_code == 200 and token_in_url in added.text  # the typist sees it
        [endpoint] = partners.endpoints_of(db, partner.id)
        later = [admin.get(path).text for path in (page, f"/admin/webhooks/{endpoint.id}")]
        assert all("http://127.0.0.1:9/hook" in text for text in later)
        later.append(admin.get("/moderation/audit").text)
        assert [text for text in later if token_in_url in text] == []
    details = [event.details for event in db.scalars(select(AuditEvent))]
    assert {"url": "http://127.0.0.1:9/hook?…"} in [
        {key: value for key, value in entry.items() if key == "url"} for entry in details
    ]
    assert token_in_url not in json.dumps(details)
    publish(db, settings, scene)
    db.flush()
    with caplog.at_level("INFO"):
        _deliver(settings, session_factory)  # nobody listens on port 9: a failure
        partners.disable_endpoint(db, settings, endpoint, "Test")
    db.flush()
    assert caplog.records and token_in_url not in caplog.text
    stored = [
        json.dumps(row.payload, ensure_ascii=False) + str(row.last_error)
        for row in db.scalars(select(OutboxMessage))
    ]
    assert any("http://127.0.0.1:9/hook" in text for text in stored)  # the partner's mail
    assert [text for text in stored if token_in_url in text] == []
