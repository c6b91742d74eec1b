"""The in-transaction event hub: how a lower domain triggers work in a higher one without
importing it (ARCHITECTURE.md, "Reactions go through events").

The domain that owns a change publishes a typed event; the reacting domains (notifications,
search indexing, export withdrawal) subscribe once at start-up (app.wiring.wire(), called by
create_app, the CLI and the worker). publish() calls every handler at once, in order of
subscription, with the publisher's session: the reactions are part of the same transaction,
so they commit with the change or roll back with it, and a failing handler fails the whole
unit of work. Events carry ids and plain values, not ORM objects (this module knows no
domain); a handler loads what it needs from the session, which already holds it.

This module imports no domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.config import Settings

# -- the events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentPosted:
    """A comment (or a reply: parent_id) was posted; the author follows the Vorhaben."""

    settings: Settings
    comment_id: int
    vorhaben_id: int
    author_id: int
    parent_id: int | None


@dataclass(frozen=True)
class CommentChanged:
    """A comment's text or standing changed: edited, deleted, hidden or shown again."""

    comment_id: int


@dataclass(frozen=True)
class CommentEdited:
    """The author reworded a comment (published beside CommentChanged): members it names
    for the first time hear of it."""

    settings: Settings
    comment_id: int
    author_id: int


@dataclass(frozen=True)
class VorhabenChanged:
    """A Vorhaben's content was written (created or edited); `tags` as saved."""

    vorhaben_id: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class VorhabenCreated:
    """A new Vorhaben was saved (after VorhabenChanged, with its fields, tags and stage)."""

    settings: Settings
    vorhaben_id: int
    actor_id: int


@dataclass(frozen=True)
class StageChanged:
    """A saved edit moved a Vorhaben from `previous` (a Stage value) to its current stage."""

    settings: Settings
    vorhaben_id: int
    actor_id: int
    previous: str


@dataclass(frozen=True)
class SignalGiven:
    """A municipality gave a cooperation signal on a Vorhaben."""

    settings: Settings
    signal_id: int
    vorhaben_id: int
    actor_id: int


@dataclass(frozen=True)
class SignalAnswered:
    """The owners answered the note of a cooperation signal."""

    settings: Settings
    signal_id: int
    vorhaben_id: int
    actor_id: int


@dataclass(frozen=True)
class VorhabenGoingAway:
    """A Vorhaben is about to be deleted, restricted to its municipality or hidden by the
    moderators: published before the change, while everything about it can still be read."""

    settings: Settings
    vorhaben_id: int
    actor_id: int | None
    reason: str


@dataclass(frozen=True)
class AccountErased:
    """An account is being erased: published before its profile is cleared (name and mail
    still readable), in the transaction that erases it."""

    settings: Settings
    account_id: int


@dataclass(frozen=True)
class AttachmentsDeleted:
    """A Vorhaben's own files were deleted (their rows are gone): a publication that lists
    one takes it out of its live version."""

    settings: Settings
    vorhaben_id: int
    attachment_ids: tuple[int, ...]


@dataclass(frozen=True)
class TerminSaved:
    """A date (app.dates) was entered (`new`) or changed, by `actor_id`."""

    termin_id: int
    actor_id: int
    new: bool


# -- the hub ---------------------------------------------------------------------------------

E = TypeVar("E")
Handler = Callable[[Session, Any], None]

_handlers: dict[type[Any], list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call `handler(db, event)` whenever an event of this type is published. Subscribing
    the same handler again changes nothing (wiring is idempotent)."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def publish(db: Session, event: object) -> None:
    """Run every handler of the event's type now, in the caller's session and transaction.
    An event nobody subscribed to is simply dropped; an error in a handler propagates to
    the publisher, whose unit of work then rolls back as a whole."""
    for handler in tuple(_handlers.get(type(event), ())):
        handler(db, event)


def subscribers(event_type: type[Any]) -> tuple[Handler, ...]:
    """The handlers of an event type, in calling order (for tests and the wiring's check)."""
    return tuple(_handlers.get(event_type, ()))


@contextmanager
def isolated() -> Iterator[None]:
    """For tests: an empty hub inside the block, the wired one restored after it."""
    saved = {key: list(value) for key, value in _handlers.items()}
    _handlers.clear()
    try:
        yield
    finally:
        _handlers.clear()
        _handlers.update(saved)
