"""Standard Webhooks 1.0: endpoints with a `whsec_` secret each, signatures over
"id.timestamp.body", target URLs checked against private networks, deliveries queued in
the outbox in the same transaction as the change."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.clock import utcnow
from app.core.urls import http_parts
from app.export.models import WebhookEndpoint
from app.i18n import gettext as _
from app.outbox.models import Channel, OutboxMessage

EVENTS = ("project.published", "project.updated", "project.withdrawn")
ROTATION_OVERLAP = dt.timedelta(hours=24)


class UnsafeTarget(ValueError):
    """A webhook URL we refuse to call (scheme, private address, unresolvable)."""


def new_secret() -> str:
    """A fresh signing secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets_in_use: list[str], message_id: str, timestamp: int, body: bytes
) -> str:
    """Space-separated signatures, one per active secret (both during a rotation)."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_use)


def check_url(url: str, settings: Settings, *, resolve: bool = True) -> list[str]:
    """The addresses a webhook URL may be called at; UnsafeTarget explains a refusal.

    https only in production; loopback, private, link-local (cloud metadata), multicast
    and reserved addresses are refused unless ALLMENDE_WEBHOOKS_ALLOW_PRIVATE is set.
    """
    parts = http_parts(url)
    if parts is None:
        raise UnsafeTarget(_("Die Adresse muss mit https:// beginnen."))
    if settings.is_production and parts.scheme != "https":
        raise UnsafeTarget(_("Im Betrieb sind nur https://-Adressen erlaubt."))
    if parts.username or parts.password:
        raise UnsafeTarget(_("Zugangsdaten gehören nicht in die Adresse."))
    if not resolve:
        return []
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget(_("Der Port der Adresse ist ungültig.")) from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(
            _("Der Name %(host)s lässt sich nicht auflösen.", host=parts.hostname)
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    if not settings.webhooks_allow_private:
        for address in addresses:
            if is_internal(ipaddress.ip_address(address.split("%", 1)[0])):
                raise UnsafeTarget(
                    _(
                        "%(host)s zeigt auf eine interne Adresse (%(address)s); "
                        "solche Ziele sind nicht erlaubt.",
                        host=parts.hostname,
                        address=address,
                    )
                )
    if not addresses:
        raise UnsafeTarget(_("Der Name %(host)s lässt sich nicht auflösen.", host=parts.hostname))
    return addresses


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local translators
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d


def is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, shared, reserved or multicast, also when an IPv4
    address hides inside an IPv6 one (mapped, 6to4, NAT64): a translator on the way would
    deliver to the internal IPv4 address the plain check lets through."""
    if not ip.is_global or ip.is_multicast:
        return True
    if isinstance(ip, ipaddress.IPv4Address):
        return False
    if ip in NAT64_LOCAL or ip in IPV4_COMPATIBLE or ip.teredo is not None:
        return True  # where these lead cannot be checked from here
    embedded = ip.ipv4_mapped or ip.sixtofour
    if ip in NAT64:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return embedded is not None and is_internal(embedded)


def active_secrets(endpoint: Any) -> list[str]:
    """The current secret, plus the previous one while a rotation overlaps."""
    found = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and (endpoint.previous_secret_until > utcnow())
    ):
        found.append(endpoint.previous_secret)
    return found


def active_endpoints(db: Session) -> list[tuple[int, int]]:
    """(endpoint id, partner id) of every endpoint that receives deliveries."""

    return [
        (row.id, row.partner_id)
        for row in db.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.partner_id)
            .where(WebhookEndpoint.active.is_(True))
            .order_by(WebhookEndpoint.id)
        )
    ]


def enqueue(
    db: Session,
    event: str,
    item: dict[str, Any],
    *,
    at: dt.datetime,
    endpoint_ids: list[int] | None = None,
) -> int:
    """Queue one delivery per endpoint (every active one unless named), in the same
    transaction as the feed change."""
    stamp = at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    body = json.dumps(
        {"type": event, "timestamp": stamp, "data": item},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    if endpoint_ids is None:
        endpoint_ids = [endpoint_id for endpoint_id, _partner in active_endpoints(db)]
    for endpoint_id in endpoint_ids:
        db.add(
            OutboxMessage(
                channel=Channel.WEBHOOK,
                webhook_endpoint_id=endpoint_id,
                payload={"event": event, "body": body},
                message_key="msg_" + secrets.token_hex(16),
                ordering_key=str(item["id"]),
            )
        )
    return len(endpoint_ids)
