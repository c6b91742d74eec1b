"""Redirect targets taken from a client are only ever local paths."""

from __future__ import annotations

from urllib.parse import urlsplit

# The longest target kept for after sign-in (the column holds 2,000 characters); a longer
# one is not a page of ours.
MAX_PATH_LENGTH = 2000


def local_path(candidate: str | None, default: str = "/") -> str:
    """candidate if it is a path on this site, else default.

    Refuses `//host`, `/\\host` (browsers read a backslash as a slash), absolute URLs,
    `javascript:` and anything with control characters or whitespace tricks.
    """
    if not candidate:
        return default
    value = candidate.strip()
    if (
        len(value) > MAX_PATH_LENGTH
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(char) < 32 or ord(char) == 127 for char in value)
    ):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
