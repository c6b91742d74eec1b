"""Folding and Snowball stemming of single words, the same for documents and queries.

Snowball's German stemmer (PyStemmer 3) treats "ae", "oe" and "ue" as the umlauts they
stand for, so "Muell" and "Müll" both stem to "mull"; what it returns is then folded to
ASCII, so every token is `[a-z0-9]+`.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

import Stemmer

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Letters that do not decompose into a base letter and a mark under NFKD.
_LATIN = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # A Snowball stemmer keeps state between calls and must not be shared between threads
    # (FastAPI runs synchronous routes in a thread pool): one per thread.
    stemmer: Stemmer.Stemmer | None = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer("german", 0)  # lru_cache below caches instead
        _local.stemmer = stemmer
    return stemmer


def canonical(word: str) -> str:
    """A lowercase word with umlauts and ß spelled out: "Bürger" → "buerger"."""
    return word.casefold().translate(_UMLAUTS)


def ascii_token(word: str) -> str:
    """A lowercase word as `[a-z0-9]+`: accents dropped, other scripts as punycode ("xn…")."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_LATIN))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    if plain.isascii():
        return "".join(char for char in plain if char.isalnum())
    # A word in Cyrillic, Greek, Arabic … stays findable by the same word, written the
    # same way: punycode is ASCII and the same on both sides; its "-" is dropped.
    encoded = plain.encode("punycode").decode("ascii").replace("-", "")
    return "xn" + "".join(char for char in encoded.lower() if char.isalnum())


def _plain(char: str) -> str:
    """A letter without accents, except the German umlauts, which the stemmer handles."""
    if char in "äöüß" or char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char.translate(_LATIN))
    return "".join(part for part in decomposed if not unicodedata.combining(part))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball stem of a lowercase word, as an ASCII token ("Schulen" → "schul")."""
    # Accents go before stemming, so "Café" and "Cafe" stem alike.
    if not word.isascii():
        word = "".join(map(_plain, word))
    if not word.isalpha():
        return ascii_token(word)  # "5g", "2024": nothing to stem
    return ascii_token(_stemmer().stemWord(word))
