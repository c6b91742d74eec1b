"""Where webhooks may go: no private, internal or odd targets (also hidden in IPv6), https
only in production."""

from __future__ import annotations

import ipaddress

import pytest
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import ValidationFailed
from app.export import partners, urls, webhooks


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """As in test_webhooks: the test setting allows loopback; each test says what it checks."""
    return {"webhooks_allow_private": True}


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
        "https://[partner.example/hook",  # urlsplit() raised: a 500 and a CLI traceback
    ],
)
def test_private_or_odd_targets_are_refused(settings: Settings, url: str) -> None:
    strict = settings.model_copy(update={"webhooks_allow_private": False})
    with pytest.raises(webhooks.UnsafeTarget):
        webhooks.check_url(url, strict)


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/x",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/latest",  # NAT64 of the metadata address
        "http://[64:ff9b:1::808:808]/x",  # local-use NAT64: any IPv4 behind it
        "http://[::ffff:10.0.0.1]/x",  # IPv4-mapped
        "http://[2002:a00:1::1]/x",  # 6to4 of 10.0.0.1
        "http://[::10.0.0.1]/x",  # IPv4-compatible
        "http://[::ffff:100.64.0.1]/x",  # shared address space
    ],
)
def test_internal_addresses_hidden_in_ipv6_are_refused(settings: Settings, url: str) -> None:
    strict = settings.model_copy(update={"webhooks_allow_private": False})
    with pytest.raises(webhooks.UnsafeTarget, match="interne Adresse"):
        webhooks.check_url(url, strict)


def test_translated_public_addresses_stay_allowed() -> None:
    for address in ("64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "8.8.8.8"):
        assert not webhooks.is_internal(ipaddress.ip_address(address)), address


def test_production_refuses_plain_http_webhooks(db: Session, settings: Settings) -> None:
    production = settings.model_copy(update={"env": "production"})
    assert production.is_production
    with pytest.raises(webhooks.UnsafeTarget, match="https"):
        webhooks.check_url("http://civic.example/hook", production)
    partner, _key = partners.create(db, "Civic Platform")
    with pytest.raises(ValidationFailed) as caught:
        partners.add_webhook(db, production, partner, "http://civic.example/hook")
    assert "https" in caught.value.errors["url"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.example/in/allmende", "https://hooks.example/in/allmende"),
        ("https://hooks.example/in?token=abc", "https://hooks.example/in?…"),
        ("https://hooks.example:8443/in#abc", "https://hooks.example:8443/in?…"),
        ("https://user:pw@hooks.example/in", "https://hooks.example/in"),
        ("http://[2001:db8::1]:9/hook?k=v", "http://[2001:db8::1]:9/hook?…"),
        ("https://hooks.example:99999/in?k=v", "…"),
    ],
)
def test_a_webhook_url_is_shown_without_its_secrets(url: str, shown: str) -> None:
    assert urls.shown_url(url) == shown
    error = f"ConnectError: could not reach '{url}' (refused)"
    assert urls.without_url_secrets(error) == f"ConnectError: could not reach '{shown}' (refused)"
