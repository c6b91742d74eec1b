"""How the mailer talks to the SMTP server: STARTTLS, once asked for, is required."""

from __future__ import annotations

import pytest

from app.config import load_settings
from app.outbox.mailer import MailError, SMTPMailer
from tests.outbox.conftest import Inbox

PAYLOAD = {"to": "ada@musterstadt.example", "subject": "Hallo", "text": "Text"}


def test_starttls_is_required_not_tried(inbox: Inbox) -> None:
    """A server (or a man in the middle) that offers no STARTTLS gets no password and no mail."""
    settings = load_settings(
        env="test", smtp_url=f"smtp://benutzer:geheim@127.0.0.1:{inbox.port}?starttls=true"
    )
    with pytest.raises(MailError) as failed:
        SMTPMailer(settings).send(PAYLOAD, "key-1")
    assert "STARTTLS" in str(failed.value)
    assert not failed.value.permanent  # retried: the server may be fixed
    assert inbox.messages == []


def test_plain_smtp_without_a_password_delivers(inbox: Inbox) -> None:
    settings = load_settings(env="test", smtp_url=f"smtp://127.0.0.1:{inbox.port}")
    SMTPMailer(settings).send(PAYLOAD, "key-2")
    assert [message["Subject"] for message in inbox.messages] == ["Hallo"]
