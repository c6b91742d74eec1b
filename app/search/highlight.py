"""Excerpts with the matched words marked, found by folded comparison (Müll ~ mull)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
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
# umlauts and ß beyond casefold): runs of ASCII fold at once, the rest character by character,
# and only those characters are remembered to map a folded position back.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _Folded:
    """A text folded character by character (fold() of each), and for a position in the
    folded text the index of the original character it comes from."""

    __slots__ = ("_indices", "_lengths", "_starts", "text")

    def __init__(self, text: str) -> None:
        pieces: list[str] = []
        # Per non-ASCII character: where its fold starts, its index, the fold's length.
        self._starts: list[int] = []
        self._indices: list[int] = []
        self._lengths: list[int] = []
        cursor = size = 0
        for match in _NON_ASCII.finditer(text):
            index = match.start()
            pieces.append(text[cursor:index].lower())
            size += index - cursor
            piece = _fold_char(match.group())
            pieces.append(piece)
            self._starts.append(size)
            self._indices.append(index)
            self._lengths.append(len(piece))
            size += len(piece)
            cursor = index + 1
        pieces.append(text[cursor:].lower())
        self.text = "".join(pieces)

    def origin(self, position: int) -> int:
        found = bisect_right(self._starts, position) - 1
        if found < 0:
            return position
        start, index, length = self._starts[found], self._indices[found], self._lengths[found]
        if position < start + length:
            return index
        return index + 1 + position - start - length


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    folded = _Folded(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.text.find(term)
        while start != -1 and term:
            end = start + len(term)
            if len(term) >= WHOLE_WORD_BELOW or _is_word(folded.text, start, end):
                spans.append((folded.origin(start), folded.origin(end - 1) + 1))
            start = folded.text.find(term, end)
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
    return excerpt_of((text,), terms, width)


def excerpt_of(parts: Iterable[str], terms: list[str], width: int = 220) -> Markup | None:
    """excerpt() of the parts joined by spaces, reading only as many parts as the window
    needs: the first with a match and enough after it (the parts of a Markdown text are
    rendered as they are read: app.core.markdown.plain_parts).

    A term has no space, so a match lies within one part, and a part's edge is a word's
    edge both alone and joined: scanning part by part finds the match the whole text has
    first, at the same place."""
    text = ""
    first = -1
    for raw in parts:
        part = " ".join(unicodedata.normalize("NFC", raw).split())
        if not part:
            continue
        offset = len(text) + 1 if text else 0
        text = f"{text} {part}" if text else part
        if first < 0:
            spans = _spans(part, terms)
            if spans:
                first = offset + spans[0][0]
        # Enough once the window can be cut: its start is at most `first`, so anything
        # beyond first + width shows that the window ends before the text does.
        if first >= 0 and len(text) > first + width:
            break
    if first < 0:
        return None
    return _window(text, first, terms, width)


def _window(text: str, first: int, terms: list[str], width: int) -> Markup:
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
