"""Webhook workers in parallel threads, each against a real database of its own and a
receiver on loopback: a hanging partner holds up nobody else, and each project's events
still arrive in order."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, load_settings
from app.db import make_engine, make_session_factory, unit_of_work
from app.export import partners, withdrawal
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.worker import delivery as webhook_worker
from tests import factories
from tests.conftest import TEST_SECRET
from tests.publishing import Scene, make_scene, publish


def test_a_hanging_partner_does_not_hold_up_the_others(fresh_database_url: str) -> None:
    """Webhooks go out in parallel threads: while one partner does not answer, deliveries
    to another partner arrive, and afterwards every message is delivered exactly once."""

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
        worker = webhook_worker(settings, sessions)
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
    assert webhook_worker(settings, session_factory).parallelism() == 1


def test_with_parallel_threads_each_project_arrives_in_order(fresh_database_url: str) -> None:
    """Four delivery threads, one endpoint: a project's published, updated and withdrawn
    arrive one after another, in that order, while another project goes out alongside."""

    settings = load_settings(
        env="test",
        database_url=fresh_database_url,
        secret_key=TEST_SECRET,
        webhooks_allow_private=True,
        webhook_concurrency=4,
    )
    lock = threading.Lock()
    arrived: list[tuple[str, str]] = []
    in_flight: dict[str, int] = {}
    most_at_once: dict[str, int] = {}
    other_arrived = threading.Event()
    overlap: list[bool] = []
    first_id: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            project = body["data"]["id"]
            with lock:
                arrived.append((project, body["type"]))
                in_flight[project] = in_flight.get(project, 0) + 1
                most_at_once[project] = max(most_at_once.get(project, 0), in_flight[project])
                first = project == first_id[0] and len(overlap) == 0
                if project != first_id[0]:
                    other_arrived.set()
            if first:
                # The first message of project A waits for project B: they go out in
                # parallel, so B arrives meanwhile.
                overlap.append(other_arrived.wait(timeout=5))
            time.sleep(0.2)  # long enough for an out-of-order send to overlap
            with lock:
                in_flight[project] -= 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    engine = make_engine(fresh_database_url)
    sessions = make_session_factory(engine)
    try:
        with unit_of_work(sessions) as db:
            scene = make_scene(db)
            partners.add_webhook(
                db,
                settings,
                partners.create(db, "Civic")[0],
                f"http://127.0.0.1:{server.server_address[1]}/hook",
            )
            first = publish(db, settings, scene)
            first_id.append(first.id)
            publish(db, settings, scene, title="Zweite Fassung")
            withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
            other_vorhaben = factories.vorhaben(db, scene.owner, "Zweites Vorhaben")
            second = publish(db, settings, Scene(scene.owner, scene.moderator, other_vorhaben))
        worker = webhook_worker(settings, sessions)
        assert worker.deliver_due(channel=Channel.WEBHOOK) == 4
        assert [event for project, event in arrived if project == first.id] == [
            "project.published",
            "project.updated",
            "project.withdrawn",
        ]
        assert most_at_once[first.id] == 1, "a later change overtook or overlapped"
        assert overlap == [True], "other projects must still go out in parallel"
        assert (second.id, "project.published") in arrived
    finally:
        server.shutdown()
        server.server_close()
        engine.dispose()
