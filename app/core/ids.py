"""Numbers from client text: database ids and small counts, never a 500 on odd input.

`str.isdigit()` is true for "²" and "٣", which `int()` then rejects, SQLite's driver
raises OverflowError for integers beyond 64 bits, and PostgreSQL refuses a parameter
beyond its 32-bit `integer` for the id columns; so ids from paths, forms and query
strings go through here, and path parameters use the `{name:id}` convertor, which
matches only what fits (anything larger is a 404, as an id that does not exist).
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

# The id columns are SQL `integer`: 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1
# 18 digits always fit into a signed 64-bit integer (the largest has 19): what
# is_number() admits for keys that are no ids (AGS, feed sequence numbers).
MAX_DIGITS = 18


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0 … limit without leading zeros
    beyond one digit's worth: shorter numbers freely, then the longest digit by digit."""
    digits = str(limit)
    shorter = f"[0-9]{{1,{len(digits) - 1}}}" if len(digits) > 1 else ""
    same_length = []
    for position, digit in enumerate(digits):
        if digit != "0":
            below = "0" if digit == "1" else f"0-{int(digit) - 1}"
            rest = len(digits) - position - 1
            same_length.append(
                digits[:position] + f"[{below}]" + (f"[0-9]{{{rest}}}" if rest else "")
            )
    same_length.append(digits)
    return "|".join(part for part in (shorter, *same_length) if part)


def is_number(value: str) -> bool:
    """True for a short run of ASCII digits (what an id or a count looks like)."""
    return 0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit()


def parse_id(value: str | None) -> int | None:
    """An id or count from client text, None for anything that is not one (or does not
    fit the id columns)."""
    if value is None:
        return None
    value = value.strip()
    if not is_number(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class IdConvertor(Convertor[int]):
    """`{name}` in a route path: ASCII digits that fit the database; others are a 404."""

    regex = f"(?:{_up_to(MAX_ID)})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 0 <= value <= MAX_ID:
            raise ValueError("id out of range")
        return str(value)


register_url_convertor("id", IdConvertor())
