"""Web addresses from client text: split without a 500 on what urlsplit() refuses."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit


def http_parts(value: str) -> SplitResult | None:
    """The parts of an http(s) address with a host; None for anything else, including what
    urlsplit() raises on (an unbalanced "[" or "]", a bad IP literal: "https://[x")."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return parts
