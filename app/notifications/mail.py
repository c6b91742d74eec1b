"""Mails rendered from templates (subject, text, HTML) in the receiver's language,
then written to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app import i18n
from app.config import Settings
from app.outbox import service as outbox
from app.web.templating import render_string

if TYPE_CHECKING:
    from app.membership.models import Account


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def render(name: str, context: dict[str, Any], *, locale: str, settings: Settings) -> RenderedMail:
    """Render templates/email/<name>/{subject.txt,body.txt,body.html}."""
    full = {"base_url": settings.base_url, **context}
    with i18n.using_locale(locale):
        subject = render_string(f"email/{name}/subject.txt", full)
        text = render_string(f"email/{name}/body.txt", full)
        html = render_string(f"email/{name}/body.html", full)
    # A subject is one line, whatever the template or the data put into it.
    subject = " ".join(subject.split())
    return RenderedMail(subject=subject, text=text.strip() + "\n", html=html)


def send(
    db: Session,
    settings: Settings,
    *,
    to: str | None,
    name: str,
    context: dict[str, Any],
    locale: str = "de",
) -> None:
    """Queue a mail to one address (nothing happens for an account without an address)."""
    if not to:
        return
    mail = render(name, context, locale=locale, settings=settings)
    outbox.enqueue_mail(db, to=to, subject=mail.subject, text=mail.text, html=mail.html)


def send_each(
    db: Session,
    settings: Settings,
    receivers: Iterable[Account],
    *,
    name: str,
    context: dict[str, Any],
) -> None:
    """Queue the same mail to several accounts, each in their language, each as `receiver`."""
    for receiver in receivers:
        send(
            db,
            settings,
            to=receiver.email,
            locale=receiver.locale,
            name=name,
            context={"receiver": receiver, **context},
        )
