"""Excerpts with the matched words marked, found by folded comparison (Müll ~ mull)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup

from app.core.text import fold

# Shorter terms are marked only as whole words: "IT" in "IT-Sicherheit", not in "mit".
WHOLE_WORD_BELOW = 4
# fold() of one character, remembered: an excerpt folds a whole description character by
# character, and a text uses few distinct characters.
_fold_char = lru_cache(maxsize=4096)(fold)

# Literal markup only; format() escapes the text that goes into it.
MARKED = Markup("<mark>{}</mark>")


# fold() of an ASCII character is its lower case, one for one (app.core.text folds only
# umlauts and ß beyond casefold): runs of ASCII fold at once, the rest character by character.
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each folded character the index in the original."""
    folded: list[str] = []
    origin: list[int] = []

    def each(start: int, end: int) -> None:
        for index in range(start, end):
            piece = _fold_char(text[index])
            folded.append(piece)
            origin.extend([index] * len(piece))

    cursor = 0
    for run in _ASCII_RUN.finditer(text):
        start, end = run.span()
        each(cursor, start)
        folded.append(run.group().lower())
        origin.extend(range(start, end))
        cursor = end
    each(cursor, len(text))
    return "".join(folded), origin


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    folded, origin = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start != -1 and term:
            end = start + len(term)
            if len(term) >= WHOLE_WORD_BELOW or _is_word(folded, start, end):
                spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_word(folded: str, start: int, end: int) -> bool:
    """Whether folded[start:end] stands alone (not inside a longer word)."""
    before = folded[start - 1] if start > 0 else " "
    after = folded[end] if end < len(folded) else " "
    return not before.isalnum() and not after.isalnum()


def mark(text: str, terms: list[str]) -> Markup:
    """The whole text, escaped, with every occurrence of the terms in <mark>."""
    # Markup's join and format escape the text; the markup is only our literal <mark>.
    out: list[str | Markup] = []
    cursor = 0
    for start, end in _spans(text, terms):
        out.append(text[cursor:start])
        out.append(MARKED.format(text[start:end]))
        cursor = end
    out.append(text[cursor:])
    return Markup("").join(out)


def excerpt(text: str, terms: list[str], width: int = 220) -> Markup | None:
    """A window of about `width` characters around the first match, or None."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    spans = _spans(text, terms)
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    window = mark(text[start:end], terms)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup("").join((prefix, window, suffix))
