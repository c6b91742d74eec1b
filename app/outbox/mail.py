"""Mails rendered from templates (subject, text, HTML) in the receiver's language,
then written to the outbox in the caller's transaction.

A mail that shows trust-space content says what it is about (About): just before sending,
the worker asks the check the entry level gave it (app.notifications.delivery_check), so a
mail rendered while its receiver could see a Vorhaben or comment does not leave after that
changed (hidden, deleted, restricted to another municipality, the receiver suspended or
erased). This module knows no domain: receivers are anything with an id, a mail address and
a locale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app import i18n
from app.config import Settings
from app.outbox import service as outbox
from app.web.templating import render_string


class Receiver(Protocol):
    """Who a mail goes to (an account)."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str | None: ...

    @property
    def locale(self) -> str: ...


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class About:
    """The trust-space content a mail shows, which its receiver must still see when it leaves.

    `shared` are Vorhaben the mail names whether or not they are hidden (a reporter told
    that the Vorhaben they reported is now hidden): those only need to be shared with the
    receiver's municipality. `topics` are circles' topics the receiver must still see;
    `circles` are circles whose shared content (their dates) the mail shows: the receiver
    must still be an active member."""

    vorhaben: Sequence[int] = ()
    comments: Sequence[int] = ()
    shared: Sequence[int] = ()
    topics: Sequence[int] = ()
    circles: Sequence[int] = ()

    def stored(self, receiver_id: int) -> dict[str, Any]:
        """The form kept with the outbox row."""
        return {
            "account": receiver_id,
            "vorhaben": sorted(set(self.vorhaben)),
            "comments": sorted(set(self.comments)),
            "shared": sorted(set(self.shared)),
            # Only where there are some: the form of older rows stays as it was.
            **({"topics": sorted(set(self.topics))} if self.topics else {}),
            **({"circles": sorted(set(self.circles))} if self.circles else {}),
        }


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
    about: tuple[int, About] | None = None,
) -> None:
    """Queue a mail to one address (nothing happens for an account without an address);
    `about` is (receiver's account id, what the mail shows of the trust space)."""
    if not to:
        return
    mail = render(name, context, locale=locale, settings=settings)
    outbox.enqueue_mail(
        db,
        to=to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        about=about[1].stored(about[0]) if about is not None else None,
    )


def send_each(
    db: Session,
    settings: Settings,
    receivers: Iterable[Receiver],
    *,
    name: str,
    context: dict[str, Any],
    about: About | None = None,
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
            about=(receiver.id, about) if about is not None else None,
        )
