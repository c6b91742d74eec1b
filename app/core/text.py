"""Text hygiene shared by every form: normalisation, forbidden characters, search folding."""

from __future__ import annotations

import re
import unicodedata

from app.i18n import format_number, gettext

# Bidirectional embeddings, overrides and isolates can make text display differently from
# what it says ("Trojan Source"); nobody needs them in a title or comment.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\t\n")


def _is_noncharacter(char: str) -> bool:
    """Unicode noncharacters (U+FDD0..U+FDEF, U+xxFFFE/F) and lone surrogates.

    They are not text, and U+FFFE, U+FFFF and surrogates are not even allowed in XML:
    one of them in a title would make the Atom feed unreadable for every partner.
    """
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE or 0xD800 <= code <= 0xDFFF


def normalize(value: str) -> str:
    """NFC, browser line endings (CRLF) folded to LF."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def forbidden_character(value: str) -> str | None:
    """A reason (in the current locale) if value holds a control or bidi override character."""
    for char in value:
        if char in _BIDI_CONTROLS:
            return gettext(
                "Enthält ein unsichtbares Steuerzeichen für die Schreibrichtung "
                "(%(code)s). Bitte entfernen Sie es.",
                code=f"U+{ord(char):04X}",
            )
        if _is_noncharacter(char):
            return gettext(
                "Enthält ein Zeichen, das kein Text ist (%(code)s). Bitte entfernen Sie es.",
                code=f"U+{ord(char):04X}",
            )
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            return gettext(
                "Enthält ein nicht erlaubtes Steuerzeichen (%(code)s). Bitte entfernen Sie es.",
                code=f"U+{ord(char):04X}",
            )
    return None


def too_long(limit: int, length: int | None = None) -> str:
    """The message for a value over its limit, with numbers grouped for the locale."""
    if length is None:
        return gettext("Höchstens %(limit)s Zeichen.", limit=format_number(limit))
    return gettext(
        "Höchstens %(limit)s Zeichen (jetzt %(length)s).",
        limit=format_number(limit),
        length=format_number(length),
    )


def clean_line(value: str) -> str:
    """A single-line field: normalised, every whitespace run (newlines too) one space.

    Check forbidden_character() on the raw value first: str.split() treats some control
    characters as whitespace and would quietly drop them.
    """
    return " ".join(normalize(value).split())


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})
_NON_WORD = re.compile(r"[^\w]+")


def fold(value: str) -> str:
    """Lowercase and fold German umlauts and ß, so Müll ~ mull and Straße ~ strasse."""
    lowered = unicodedata.normalize("NFC", value).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_words(value: str) -> str:
    """fold() with punctuation turned into single spaces (for search columns)."""
    return " ".join(_NON_WORD.sub(" ", fold(value)).split())
