"""The name an attachment is shown and downloaded under. It is never a path on disk (the
storage picks random names); it is cleaned all the same, so a download cannot suggest a
path, a hidden file, or a name that reads differently from what it is."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from app.attachments.kinds import KNOWN_EXTENSIONS, Kind
from app.i18n import gettext as _

MAX_LENGTH = 200


def clean(name: str) -> str:
    """The last part of a path, without control, format (bidi) or unassigned characters,
    leading dots or spaces; at most MAX_LENGTH characters."""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    return name[:MAX_LENGTH]


def for_kind(name: str, kind: Kind) -> str:
    """The cleaned name, ending in the extension of the kind its content has: a PNG called
    bericht.pdf is offered as bericht.png, so the receiver's system opens it as what it is."""
    name = clean(name)
    stem, dot, extension = name.rpartition(".")
    if dot and extension.lower() in KNOWN_EXTENSIONS:
        if kind.key == "jpeg" and extension.lower() in {"jpg", "jpeg", "jpe"}:
            return name
        name = stem
    name = name.rstrip(". ") or _("Anhang")
    return f"{name[: MAX_LENGTH - len(kind.extension) - 1]}.{kind.extension}"


def content_disposition(disposition: str, name: str) -> str:
    """A Content-Disposition header by RFC 6266: an ASCII fallback and the UTF-8 name."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\;' else "_"
        for char in name
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
