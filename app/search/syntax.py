"""The query syntax people know from web search: "quoted phrases" and -excluded words.

Everything else is a plain word. A quote without its partner and a lone "-" are read as
plain text, so no input is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_LENGTH = 1_000

# A phrase in straight or typographic quotes, or a run of non-space characters; either
# may carry a "-" that marks it as excluded when it starts a word.
_PART = re.compile(r'(?:(?<=\s)|^)(-?)(?:["„“”«»]([^"„“”«»]*)["„“”«»]|(\S+))')


@dataclass(frozen=True)
class Parsed:
    """A query split into its parts, text still unanalyzed."""

    words: tuple[str, ...]  # in order; a hyphenated word is one word
    phrases: tuple[str, ...]
    excluded: tuple[str, ...]  # words after "-"
    excluded_phrases: tuple[str, ...] = ()  # "phrases" after "-"


def parse(query: str) -> Parsed:
    """The words, "phrases" and -excluded parts of a query."""
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    excluded_phrases: list[str] = []
    for match in _PART.finditer(query[:MAX_QUERY_LENGTH]):
        minus, phrase, word = match.group(1), match.group(2), match.group(3)
        text = phrase if phrase is not None else word
        if not text or not text.strip('"„“”«»-'):
            continue
        if minus and phrase is not None:
            excluded_phrases.append(phrase)
        elif minus:
            excluded.append(text)
        elif phrase is not None:
            phrases.append(phrase)
        else:
            words.append(word)
    return Parsed(tuple(words), tuple(phrases), tuple(excluded), tuple(excluded_phrases))
