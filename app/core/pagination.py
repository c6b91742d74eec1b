"""Keyset pagination with opaque cursors ("after this row"), robust against bad input."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.core.errors import DomainError
from app.core.ids import MAX_ID
from app.i18n import N_

T = TypeVar("T")

# Our own cursors are well under 100 characters; anything much longer is not one of them.
MAX_CURSOR_LENGTH = 512


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
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise BadCursor from None
    if not isinstance(values, list) or len(values) != arity:
        raise BadCursor
    if not all(isinstance(value, str | int | float) for value in values):
        raise BadCursor
    return values


def decode_keyset(cursor: str | None) -> tuple[dt.datetime, int] | None:
    """The (timestamp, id) of an `after` cursor, None for the first page; BadCursor if bad.

    The values come from the client: the timestamp must carry its offset (the columns are
    UTC) and the id must fit the database, or the query itself would fail.
    """
    values = decode_cursor(cursor, arity=2)
    if values is None:
        return None
    stamp_text, last_id = values
    if not isinstance(stamp_text, str) or type(last_id) is not int or not 0 <= last_id <= MAX_ID:
        raise BadCursor
    try:
        stamp = dt.datetime.fromisoformat(stamp_text)
        if stamp.tzinfo is None:
            raise BadCursor
        return stamp.astimezone(dt.UTC), last_id
    except (ValueError, OverflowError):
        raise BadCursor from None


def encode_keyset(stamp: dt.datetime, row_id: int) -> str:
    """The `after` cursor for the row with this timestamp and id."""
    return encode_cursor([stamp.isoformat(), row_id])


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None
