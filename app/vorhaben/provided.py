"""What the Vorhaben pages show from the domains above Vorhaben: the discussion (comments),
the attachments and the dates (read with the Vorhaben: PagePart) and similar Vorhaben
(search). Vorhaben imports none of them; app.wiring hands their functions in at start-up
(provide()), and the pages call them through here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement
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


class Shown(Protocol):
    """The Vorhaben a page part is read with (app.vorhaben.page.VorhabenPage)."""

    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class PagePart:
    """Rows of a domain above Vorhaben that the Vorhaben page reads in its own statement
    (app.vorhaben.page): `column` is a scalar subquery (app.core.json_rows) of the Vorhaben
    whose id column it is given; `values` turns what it read into names for the template.
    The domain keeps deciding what it reads; the page runs one statement for all."""

    column: Callable[[ColumnElement[int]], ColumnElement[Any]]
    values: Callable[[Any, Shown], dict[str, object]]


@dataclass
class _Provided:
    similar: SimilarFinder | None = None
    similar_to: SimilarToFinder | None = None
    discussion: Discussion | None = None
    page_parts: tuple[PagePart, ...] = ()


_provided = _Provided()


def provide(
    *,
    similar: SimilarFinder,
    similar_to: SimilarToFinder,
    discussion: Discussion,
    page_parts: tuple[PagePart, ...] = (),
) -> None:
    """Called by app.wiring.wire() (again: the same functions, nothing changes). The page
    parts are the attachments and the dates of the Vorhaben page."""
    _provided.similar = similar
    _provided.similar_to = similar_to
    _provided.discussion = discussion
    _provided.page_parts = page_parts


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


def page_parts() -> tuple[PagePart, ...]:
    """What the Vorhaben page reads with the Vorhaben from the domains above it."""
    if _provided.discussion is None:
        raise RuntimeError("app.wiring.wire() was not called: no parts for Vorhaben pages")
    return _provided.page_parts
