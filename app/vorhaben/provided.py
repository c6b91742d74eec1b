"""What the Vorhaben pages show from the domains above Vorhaben: the discussion (comments),
the attachments, the dates and similar Vorhaben (search). Vorhaben imports none of them; app.wiring
hands their functions in at start-up (provide()), and the pages call them through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from app.vorhaben.repository import Card
from app.vorhaben.visibility import Reader


class SimilarFinder(Protocol):
    """app.search.similar.similar: visible Vorhaben most like a text (title and summary, as
    typed) and what it is (fields of action, stage; the reader's municipality breaks ties)."""

    def __call__(
        self,
        db: Session,
        reader: Reader,
        text: str,
        *,
        tags: Iterable[str] = (),
        field_ids: Iterable[int] = (),
        stage: str | None = None,
        exclude_id: int | None = None,
    ) -> tuple[Card, ...]: ...


class SimilarToFinder(Protocol):
    """app.search.similar.similar_to: visible Vorhaben most like a stored one (which the
    caller has checked the reader may see)."""

    def __call__(self, db: Session, reader: Reader, vorhaben_id: int) -> tuple[Card, ...]: ...


class Discussion(Protocol):
    """app.comments.threads.thread_context: what the thread template needs."""

    def __call__(self, db: Session, vorhaben_id: int) -> dict[str, object]: ...


class Attachments(Protocol):
    """app.attachments.views.page_context: the files of a Vorhaben and its comments."""

    def __call__(self, db: Session, vorhaben_id: int) -> dict[str, object]: ...


class Dates(Protocol):
    """app.dates.views.page_context: the dates of a Vorhaben."""

    def __call__(self, db: Session, vorhaben_id: int) -> dict[str, object]: ...


@dataclass
class _Provided:
    similar: SimilarFinder | None = None
    similar_to: SimilarToFinder | None = None
    discussion: Discussion | None = None
    attachments: Attachments | None = None
    dates: Dates | None = None


_provided = _Provided()


def provide(
    *,
    similar: SimilarFinder,
    similar_to: SimilarToFinder,
    discussion: Discussion,
    attachments: Attachments,
    dates: Dates | None = None,
) -> None:
    """Called by app.wiring.wire() (again: the same functions, nothing changes)."""
    _provided.similar = similar
    _provided.similar_to = similar_to
    _provided.discussion = discussion
    _provided.attachments = attachments
    _provided.dates = dates


def similar(
    db: Session,
    reader: Reader,
    text: str,
    *,
    tags: Iterable[str] = (),
    field_ids: Iterable[int] = (),
    stage: str | None = None,
    exclude_id: int | None = None,
) -> tuple[Card, ...]:
    """Similar Vorhaben for the form's panel, while typing."""
    if _provided.similar is None:
        raise RuntimeError("app.wiring.wire() was not called: no similar-Vorhaben finder")
    return _provided.similar(
        db, reader, text, tags=tags, field_ids=field_ids, stage=stage, exclude_id=exclude_id
    )


def similar_to(db: Session, reader: Reader, vorhaben_id: int) -> tuple[Card, ...]:
    """Similar Vorhaben for the panel of a Vorhaben's page."""
    if _provided.similar_to is None:
        raise RuntimeError("app.wiring.wire() was not called: no similar-Vorhaben finder")
    return _provided.similar_to(db, reader, vorhaben_id)


def discussion(db: Session, vorhaben_id: int) -> dict[str, object]:
    """The comment thread of the detail page."""
    if _provided.discussion is None:
        raise RuntimeError("app.wiring.wire() was not called: no discussion for Vorhaben pages")
    return _provided.discussion(db, vorhaben_id)


def attachments(db: Session, vorhaben_id: int) -> dict[str, object]:
    """The attachments of the detail page (the Vorhaben's and its comments')."""
    if _provided.attachments is None:
        raise RuntimeError("app.wiring.wire() was not called: no attachments for Vorhaben pages")
    return _provided.attachments(db, vorhaben_id)


def dates(db: Session, vorhaben_id: int) -> dict[str, object]:
    """The dates of the detail page."""
    if _provided.dates is None:
        raise RuntimeError("app.wiring.wire() was not called: no dates for Vorhaben pages")
    return _provided.dates(db, vorhaben_id)
