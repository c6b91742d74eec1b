"""Delivering one webhook: signed, no redirects, 15 s timeout, the target checked again at
call time (a name can resolve elsewhere later), retried with backoff for over a day."""

from __future__ import annotations

import datetime as dt
import logging
import random
import ssl
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.core.clock import utcnow
from app.core.ids import is_number
from app.db import unit_of_work
from app.export import webhooks
from app.export.models import WebhookEndpoint
from app.outbox import service as outbox
from app.outbox.models import OutboxMessage

log = logging.getLogger("allmende.webhooks")

TIMEOUT = 15.0
# Retries spread over more than 24 hours: 30 s doubling, capped at two hours, then hourly.
GIVE_UP_AFTER = dt.timedelta(hours=48)
DISABLE_AFTER = dt.timedelta(hours=72)
MAX_BACKOFF = 2 * 3600.0
RETRY_AFTER_CAP = 6 * 3600


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff with jitter (30 s, 1 min, 2 min … at most 2 hours)."""
    ceiling = min(MAX_BACKOFF, 30.0 * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=random.uniform(ceiling * 0.8, ceiling))  # noqa: S311


def _retry_after(response: httpx2.Response) -> dt.timedelta | None:
    value = response.headers.get("retry-after", "").strip()
    if is_number(value):
        return dt.timedelta(seconds=min(int(value), RETRY_AFTER_CAP))
    return None


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every delivery: loading the CA store takes ~25 ms."""
    return httpx2.create_ssl_context()


def _pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The URL with its host replaced by a checked address; Host and SNI keep the name."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    pinned = urlunsplit(parts._replace(netloc=netloc))
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions: dict[str, Any] = {}
    if parts.scheme == "https" and parts.hostname:
        extensions["sni_hostname"] = parts.hostname
    return pinned, {"Host": host_header}, extensions


def post(
    settings: Settings,
    endpoint: WebhookEndpoint,
    message_id: str,
    body: str,
    transport: httpx2.BaseTransport | None = None,
) -> httpx2.Response:
    """Sign and POST one message (raises UnsafeTarget or httpx2.HTTPError)."""
    addresses = webhooks.check_url(endpoint.url, settings)
    payload = body.encode()
    timestamp = int(utcnow().timestamp())
    url, host_headers, extensions = _pinned(endpoint.url, addresses[0])
    headers = {
        **host_headers,
        "content-type": "application/json",
        "user-agent": "Allmende-Webhooks/1.0",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhooks.signature_header(
            webhooks.active_secrets(endpoint), message_id, timestamp, payload
        ),
    }
    with httpx2.Client(
        timeout=TIMEOUT, follow_redirects=False, transport=transport, verify=tls_context()
    ) as client:
        return client.post(url, content=payload, headers=headers, extensions=extensions)


def deliver(
    settings: Settings,
    sessions: sessionmaker[Session],
    message_id: int,
    payload: dict[str, Any],
    key: str,
) -> None:
    """Deliver one leased outbox row and record the outcome (at least once)."""
    with unit_of_work(sessions) as db:
        row = db.get(OutboxMessage, message_id)
        endpoint = db.get(WebhookEndpoint, row.webhook_endpoint_id) if row else None
        if row is None or endpoint is None:
            return
        created, attempts = row.created_at, row.attempts
        db.expunge(endpoint)
    if not endpoint.active:
        _record(
            settings,
            sessions,
            message_id,
            endpoint.id,
            f"endpoint disabled: {endpoint.disabled_reason}",
            retry_at=None,
        )
        return
    error: str
    retry_at: dt.datetime | None
    try:
        response = post(settings, endpoint, key, str(payload["body"]))
    except webhooks.UnsafeTarget as refused:
        error, response = f"refused: {refused}", None
    except httpx2.HTTPError as failure:
        error, response = f"{type(failure).__name__}: {failure}"[:500], None
    if response is not None and 200 <= response.status_code < 300:
        with unit_of_work(sessions) as db:
            outbox.mark_delivered(db, message_id)
            target = db.get(WebhookEndpoint, endpoint.id)
            if target is not None:
                target.failing_since = None
        return
    if response is not None:
        error = f"HTTP {response.status_code}"
        if response.status_code == 410:
            _record(
                settings,
                sessions,
                message_id,
                endpoint.id,
                error,
                retry_at=None,
                disable="Der Partner hat mit 410 Gone geantwortet.",
            )
            return
        wait = _retry_after(response) if response.status_code in {429, 503} else None
        retry_at = utcnow() + (wait or backoff(attempts + 1))
    else:
        retry_at = utcnow() + backoff(attempts + 1)
    if utcnow() - created > GIVE_UP_AFTER:
        retry_at = None
    _record(settings, sessions, message_id, endpoint.id, error, retry_at=retry_at)


def _record(
    settings: Settings,
    sessions: sessionmaker[Session],
    message_id: int,
    endpoint_id: int,
    error: str,
    *,
    retry_at: dt.datetime | None,
    disable: str | None = None,
) -> None:
    log.warning(
        "webhook delivery failed",
        extra={"outbox_id": message_id, "endpoint_id": endpoint_id, "error": error},
    )
    with unit_of_work(sessions) as db:
        outbox.mark_failed(db, message_id, error, retry_at=retry_at)
        endpoint = db.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            return
        now = utcnow()
        endpoint.failing_since = endpoint.failing_since or now
        if disable is None and now - endpoint.failing_since > DISABLE_AFTER:
            disable = "Seit mehr als drei Tagen schlägt jede Zustellung fehl."
        if disable and endpoint.active:
            from app.export import partners

            partners.disable_endpoint(db, settings, endpoint, disable)
