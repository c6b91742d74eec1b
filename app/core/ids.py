"""Numbers from client text: database ids and small counts, never a 500 on odd input.

`str.isdigit()` is true for "²" and "٣", which `int()` then rejects, and SQLite's driver
raises OverflowError for integers beyond 64 bits; so ids from paths, forms and query
strings go through here, and path parameters use the `{name:id}` convertor.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**63 - 1
# 18 digits always fit into a signed 64-bit integer (the largest has 19).
MAX_DIGITS = 18


def is_number(value: str) -> bool:
    """True for a short run of ASCII digits (what an id or a count looks like)."""
    return 0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit()


def parse_id(value: str | None) -> int | None:
    """An id or count from client text, None for anything that is not one."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if is_number(value) else None


class IdConvertor(Convertor[int]):
    """`{name}` in a route path: ASCII digits that fit the database; others are a 404."""

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 0 <= value <= MAX_ID:
            raise ValueError("id out of range")
        return str(value)


register_url_convertor("id", IdConvertor())
