"""Mails rendered from templates (subject, text, HTML) in the receiver's language,
then written to the outbox in the caller's transaction.

A mail that shows trust-space content says what it is about (About): the worker asks
still_meant_for() just before sending, so a mail rendered while its receiver could see a
Vorhaben or comment does not leave after that changed (hidden, deleted, restricted to
another municipality, the receiver suspended or erased)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import Account
from app.comments.models import Comment
from app.config import Settings
from app.outbox import service as outbox
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see, can_see_comment, shared_with
from app.web.templating import render_string


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
    receiver's municipality."""

    vorhaben: Sequence[int] = ()
    comments: Sequence[int] = ()
    shared: Sequence[int] = ()

    def stored(self, receiver_id: int) -> dict[str, Any]:
        """The form kept with the outbox row."""
        return {
            "account": receiver_id,
            "vorhaben": sorted(set(self.vorhaben)),
            "comments": sorted(set(self.comments)),
            "shared": sorted(set(self.shared)),
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
    receivers: Iterable[Account],
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


def still_meant_for(db: Session, about: Mapping[str, Any]) -> bool:
    """Whether a queued mail may still leave: its receiver is an approved member who may
    still see everything it is about (the worker's mail check, wired in app.worker)."""
    receiver = db.get(Account, about.get("account"))
    if receiver is None or not receiver.is_member:
        return False
    comment_ids = {int(key) for key in about.get("comments", ())}
    comments = list(db.scalars(select(Comment).where(Comment.id.in_(comment_ids))))
    if len(comments) != len(comment_ids) or any(
        comment.is_deleted or not can_see_comment(receiver, comment) for comment in comments
    ):
        return False
    # A comment is only readable on a Vorhaben the receiver may see.
    seen = {int(key) for key in about.get("vorhaben", ())} | {c.vorhaben_id for c in comments}
    shared = {int(key) for key in about.get("shared", ())}
    loaded = {
        vorhaben.id: vorhaben
        for vorhaben in db.scalars(select(Vorhaben).where(Vorhaben.id.in_(seen | shared)))
    }
    return all(key in loaded and can_see(receiver, loaded[key]) for key in seen) and all(
        key in loaded and shared_with(receiver, loaded[key]) for key in shared
    )
