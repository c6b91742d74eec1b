"""Keyset pagination with opaque cursors ("after this row"), robust against bad input."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.core.errors import DomainError
from app.i18n import N_

T = TypeVar("T")


class BadCursor(DomainError):
    status_code = 400
    default_message = N_(
        "Der Blätter-Verweis ist ungültig. Bitte beginnen Sie auf der ersten Seite."
    )


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str | None, *, arity: int) -> list[Any] | None:
    """The values of an `after` cursor, None for the first page; BadCursor if malformed."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor from None
    if not isinstance(values, list) or len(values) != arity:
        raise BadCursor
    if not all(isinstance(value, str | int | float) for value in values):
        raise BadCursor
    return values


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None
