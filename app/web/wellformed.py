"""What a request must look like before any route sees it (app.web.guard applies it).

Text a client sends is UTF-8 without NUL: PostgreSQL refuses NUL in every text parameter
(psycopg raises DataError before the query is sent), so one in a path or a field would be a
500 there. Addresses and headers carry no control characters at all; headers the security
checks read are ASCII, as their grammar says. Cookies that do not parse are dropped, not
refused: a browser would otherwise be locked out until the cookie expires.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import unquote_to_bytes

# Unicode category Cc: C0, DEL and C1.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a query value tab and line breaks may come from a textarea of a GET form.
_CONTROL_IN_QUERY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The checks that run on every request delete the bytes they look for (bytes.translate) and
# compare lengths: a regular expression took four times as long over a request's headers.
_C0 = bytes(range(0x20))
# What needs no decoding to be checked: printable ASCII without percent-escapes.
_NOT_PLAIN = _C0 + b" %\x7f"
# Header values: obs-text (bytes above 0x7f) is legal in general, control bytes never.
_HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_HEADER_CONTROL_BYTES = _C0.replace(b"\t", b"") + b"\x7f"
# Headers the request guard, the session and the API read for security decisions.
ASCII_HEADERS = frozenset(
    {
        b"authorization",
        b"content-length",
        b"content-type",
        b"host",
        b"hx-boosted",
        b"hx-history-restore-request",
        b"hx-request",
        b"if-none-match",
        b"origin",
        b"sec-fetch-dest",
        b"sec-fetch-mode",
        b"sec-fetch-site",
        b"sec-fetch-user",
        b"x-csrf-token",
    }
)
# RFC 6265: a cookie name is a token; its value cookie-octets, optionally in double quotes.
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
_NOT_PLAIN_COOKIES = _C0 + b'",\\\x7f'


def _free_of(value: bytes, forbidden: bytes) -> bool:
    """ASCII without any of the forbidden bytes."""
    return value.isascii() and len(value.translate(None, forbidden)) == len(value)


def bad_header(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The name of the first header with a control character, or a non-ASCII value where
    only ASCII is legal; None if all are well formed."""
    # This runs on every request: one look at all values at once (tab, which is allowed,
    # as the separator) settles the common case of ASCII headers without control bytes.
    if _free_of(b"\t".join([value for _name, value in headers]), _HEADER_CONTROL_BYTES):
        return None
    for name, value in headers:
        if _HEADER_CONTROL.search(value) or (name in ASCII_HEADERS and not value.isascii()):
            return name.decode("latin-1")
    return None


def _cookie_pairs(header: str) -> Iterable[str]:
    for chunk in header.split(";"):
        name, has_value, value = chunk.strip().partition("=")
        if not has_value or not _COOKIE_NAME.fullmatch(name):
            continue
        value = value.strip()
        inner = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
        if _COOKIE_VALUE.fullmatch(inner):
            yield f"{name}={value}"


def well_formed_cookies(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]] | None:
    """The headers with every cookie that does not parse left out; None if all parse."""
    for name, value in headers:
        if name == b"cookie" and not (b"=" in value and _free_of(value, _NOT_PLAIN_COOKIES)):
            break
    else:
        return None  # the common case: nothing to look at more closely
    cleaned: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name == b"cookie":
            kept = "; ".join(_cookie_pairs(value.decode("latin-1")))
            if kept:
                cleaned.append((name, kept.encode("latin-1")))
        else:
            cleaned.append((name, value))
    return cleaned


def _decoded(encoded: bytes) -> str | None:
    """Form or query encoding (`+` for space, percent-escapes) as UTF-8; None if it is not."""
    try:
        return unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def bad_path(path: str, raw_path: bytes | None) -> bool:
    """A path whose escapes are no UTF-8 or that holds a control character."""
    if raw_path is not None and not _free_of(raw_path, _NOT_PLAIN):
        try:
            unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            return True
    return _CONTROL.search(path) is not None


def bad_query(query_string: bytes) -> bool:
    """A query string that is no UTF-8 or holds NUL or another control character (tab and
    line breaks excepted)."""
    if _free_of(query_string, _NOT_PLAIN):
        return False
    text = _decoded(query_string)
    return text is None or _CONTROL_IN_QUERY.search(text) is not None


def bad_urlencoded_form(body: bytes) -> bool:
    """A form body that is no UTF-8 or holds a NUL.

    Other control characters are left to the form's own validation: one pasted from a word
    processor gets an error at its field, with everything typed kept (CONTRACT.md).
    """
    if _free_of(body, _NOT_PLAIN):
        return False
    text = _decoded(body)
    return text is None or "\x00" in text


def bad_form_fields(fields: Iterable[tuple[str, object]]) -> bool:
    """Multipart text fields (files excepted) with a NUL, or names with a control character."""
    return any(
        _CONTROL.search(name) or (isinstance(value, str) and "\x00" in value)
        for name, value in fields
    )


def bad_json(body: bytes) -> bool:
    """A JSON body that is no UTF-8, does not parse, or has a control character (tab and line
    breaks excepted) in a string."""
    if not body.strip():
        return False
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return True
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _CONTROL_IN_QUERY.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def printable(path: str) -> str:
    """The path without control characters (to show it on the page that refuses it)."""
    return _CONTROL.sub("", path)
