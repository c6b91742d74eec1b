"""Webhook URLs as they may be shown and logged: a query or fragment may hold a partner's
token, so it is cut off everywhere but the form the admin typed it into."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit


def shown_url(url: str) -> str:
    """A webhook URL as it may be shown after the admin typed it: scheme://host/path, a
    query or fragment only as "?…" (it may hold the partner's token), no userinfo."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "…"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    hidden = "?…" if parts.query or parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + hidden


_URL = re.compile(r"""[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>]+""")


def without_url_secrets(text: str) -> str:
    """Text (an error message) with every URL in it cut down to shown_url()."""
    return _URL.sub(lambda match: shown_url(match.group(0)), text)
