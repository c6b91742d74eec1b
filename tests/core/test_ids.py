"""Ids and cursors from client text: odd values are refused, never a crash."""

from __future__ import annotations

import base64
import re

import pytest

from app.core.clock import utcnow
from app.core.ids import MAX_ID, IdConvertor, parse_id
from app.core.pagination import BadCursor, decode_keyset, encode_cursor, encode_keyset


@pytest.mark.parametrize("value", ["²", "٣", "", " ", "-1", "1.0", "1e3", "9" * 19, None])
def test_what_is_not_a_short_ascii_number_is_no_id(value: str | None) -> None:
    assert parse_id(value) is None


def test_ids_that_fit_the_id_columns_are_read() -> None:
    assert parse_id(" 42 ") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID == 2**31 - 1
    # Beyond PostgreSQL's 32-bit integer: no id (the database would refuse the parameter).
    assert parse_id(str(MAX_ID + 1)) is None
    assert parse_id("9" * 18) is None


@pytest.mark.parametrize(
    "text", ["0", "7", "0000000042", "1999999999", "2147483639", "2147483647", "999999999"]
)
def test_the_path_convertor_matches_every_id_that_fits(text: str) -> None:
    assert re.fullmatch(IdConvertor.regex, text)


@pytest.mark.parametrize(
    "text", ["2147483648", "2147483650", "2200000000", "9999999999", "21474836470", "9" * 18]
)
def test_the_path_convertor_matches_nothing_beyond_the_id_columns(text: str) -> None:
    assert not re.fullmatch(IdConvertor.regex, text)


def test_the_path_convertor_matches_what_fits_the_database() -> None:
    convertor = IdConvertor()
    assert convertor.convert("17") == 17
    assert convertor.to_string(17) == "17"
    with pytest.raises(ValueError):
        convertor.to_string(MAX_ID + 1)


def test_a_keyset_cursor_round_trips() -> None:
    now = utcnow()
    assert decode_keyset(encode_keyset(now, 7)) == (now, 7)
    assert decode_keyset(None) is None


@pytest.mark.parametrize(
    "values",
    [
        ["2024-01-01", 1],  # no offset: the columns are UTC
        ["2024-01-01T00:00:00+00:00", 10**30],  # beyond 64 bits
        ["2024-01-01T00:00:00+00:00", -1],
        ["2024-01-01T00:00:00+00:00", 1.5],
        ["2024-01-01T00:00:00+00:00", True],
        ["0001-01-01T00:00:00+01:00", 1],  # before the first UTC instant
        ["gestern", 1],
        [1, 1],
    ],
)
def test_a_tampered_keyset_cursor_is_a_bad_cursor(values: list[object]) -> None:
    with pytest.raises(BadCursor):
        decode_keyset(encode_cursor(values))


def test_infinity_and_deep_nesting_are_bad_cursors() -> None:

    for raw in (b'["2024-01-01T00:00:00+00:00",Infinity]', b"[" * 100_000):
        cursor = base64.urlsafe_b64encode(raw).decode()
        with pytest.raises(BadCursor):
            decode_keyset(cursor)
