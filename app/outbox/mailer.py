"""Sending mails: over SMTP when ALLMENDE_SMTP_URL is set, otherwise into the log."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from app.config import Settings, smtp_starttls

log = logging.getLogger("allmende.mail")
SMTP_TIMEOUT = 30


class MailError(Exception):
    """A delivery attempt failed; `permanent` means retrying will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, payload: dict[str, Any], message_key: str) -> None: ...


def build_message(sender: str, payload: dict[str, Any], message_key: str) -> EmailMessage:
    """A multipart/alternative mail; the Message-ID stays the same across retries."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") if "@" in sender else "allmende.invalid"
    message["Message-ID"] = make_msgid(idstring=message_key, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    return message


class LogMailer:
    """Without SMTP settings: mails go to the log (development, demos)."""

    def __init__(self, settings: Settings) -> None:
        self.sender = settings.mail_from

    def send(self, payload: dict[str, Any], message_key: str) -> None:
        log.info(
            "mail (not sent, no ALLMENDE_SMTP_URL)",
            extra={"to": payload["to"], "subject": payload["subject"], "key": message_key},
        )


class SMTPMailer:
    """smtps://user:pass@host:port for implicit TLS, smtp://…?starttls=true for STARTTLS
    (required: a server that does not offer it fails the delivery), plain smtp:// only
    without a password outside development (app.config refuses it in production)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_url is not None  # noqa: S101 - chosen by mailer_for()
        parts = urlsplit(settings.smtp_url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("ALLMENDE_SMTP_URL must look like smtp://host:port")
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = smtp_starttls(settings.smtp_url)
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = settings.mail_from

    def send(self, payload: dict[str, Any], message_key: str) -> None:
        message = build_message(self.sender, payload, message_key)
        context = ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if self.implicit_tls:
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            with client:
                if self.starttls:
                    client.starttls(context=context)
                if self.username and self.password:
                    client.login(self.username, self.password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise MailError(f"recipient refused: {error.recipients}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"{type(error).__name__}: {error}") from None


def mailer_for(settings: Settings) -> Mailer:
    """The mailer the settings ask for."""
    return SMTPMailer(settings) if settings.smtp_url else LogMailer(settings)
