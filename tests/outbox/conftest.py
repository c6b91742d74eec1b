"""A real SMTP server in the test process (aiosmtpd) that collects what it receives."""

from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest


@dataclass
class Inbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.refuse.clear()


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        options: Any,
    ) -> str:
        if address in self.inbox.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.inbox.lock:
            self.inbox.messages.append(message)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Inbox]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from aiosmtpd.controller import Controller  # noqa: PLC0415 - its DeprecationWarning

    inbox = Inbox(port=_free_port())
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server: Inbox) -> Iterator[Inbox]:
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()
