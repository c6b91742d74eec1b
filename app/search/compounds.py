"""Splitting German compounds into the words of a lexicon.

"Digitalisierungsstrategie" → ("digitalisierung", "strategie"): a compound is cut into
known words, allowing the linking letters German puts between them ("Beteiligung-s-
plattform", "Dokument-en-management") and a dropped final "e" or "en" ("Schul-träger",
"Warte-zeit"), and an inflected last part ("-sensoren"). Among the possible cuts the one
with the fewest parts and the fewest such adjustments wins; each part is then split again,
so the result is the compound's smallest known parts. Why a lexicon and not a statistical
splitter: docs/search.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from app.search.stemming import canonical, stem

MIN_PART = 3
MIN_COMPOUND = 6
MAX_COMPOUND = 40  # longer "words" are codes or garbage: left whole, keeps splitting cheap
_LINKS = ("s", "es", "n", "en", "e", "er", "ens")
_ELIDED = ("e", "en")
_INFLECTIONS = ("e", "en", "n", "s", "es", "er", "ern")
_S_LINKED = ("ung", "heit", "keit", "schaft", "ion", "taet", "tum", "ling")

_UMLAUT_PLURALS = ("er", "e")


def _start(text: str) -> str:
    """The first letters of a word with umlauts folded ("baeder" → "bad", like "bad")."""
    return text[:4].replace("ae", "a").replace("oe", "o").replace("ue", "u")[:3]


# (parts, adjustments): fewer is better.
_Cost = tuple[int, int]


@dataclass(frozen=True)
class Lexicon:
    """The words compounds are split into; immutable and hashable, so it can key caches."""

    words: frozenset[str]
    keep_whole: frozenset[str] = frozenset()
    _forms: frozenset[str] = field(init=False, repr=False, compare=False)
    _by_stem: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _whole: frozenset[str] = field(init=False, repr=False, compare=False)
    _starts: frozenset[str] = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        forms = frozenset(canonical(word) for word in self.words if len(word) >= MIN_PART)
        by_stem: dict[str, str] = {}
        for form in sorted(forms, key=lambda form: (len(form), form)):
            by_stem.setdefault(stem(form), form)
        object.__setattr__(self, "_forms", forms)
        object.__setattr__(self, "_by_stem", by_stem)
        object.__setattr__(self, "_whole", frozenset(canonical(w) for w in self.keep_whole))
        # Most pieces of a word start like no lexicon word: checking the first letters
        # first keeps splitting a long word cheap.
        object.__setattr__(self, "_starts", frozenset(_start(form) for form in forms))
        object.__setattr__(self, "_longest", max(map(len, forms), default=0))

    @classmethod
    def of(cls, words: Iterable[str], keep_whole: Iterable[str] = ()) -> Lexicon:
        """A lexicon of these words (any case, umlauts or their spelled-out form)."""
        return cls(frozenset(words), frozenset(keep_whole))

    def split(self, word: str) -> tuple[str, ...]:
        """The known parts of a compound, in canonical spelling; () if it is none."""
        return _split(self, canonical(word))

    def _part(self, text: str, *, last: bool) -> tuple[str, int] | None:
        """The lexicon form a piece of a compound stands for, and the adjustments needed."""
        if len(text) < MIN_PART or len(text) > self._longest + 4:
            return None
        if _start(text) not in self._starts:
            return None
        if text in self._forms:
            return text, 0
        if last:
            for ending in _INFLECTIONS:
                base = text[: -len(ending)]
                if text.endswith(ending) and len(base) >= MIN_PART and base in self._forms:
                    return base, 1
            form = self._by_stem.get(stem(text))
            return None if form is None else (form, 1)
        for link in _LINKS:
            base = text[: -len(link)]
            if text.endswith(link) and len(base) >= MIN_PART and base in self._forms:
                # After -ung, -heit, -keit, -schaft, -ion, -tät the "s" is obligatory:
                # "Gesundheit-s-amt", never "Gesundheit-samt".
                return base, 0 if link == "s" and base.endswith(_S_LINKED) else 1
        for ending in _ELIDED:
            if text + ending in self._forms:
                return text + ending, 1
        if len(text) > MIN_PART and text.endswith(_UMLAUT_PLURALS):
            # "Bäder-", "Häuser-": a plural with umlaut, found by its stem.
            form = self._by_stem.get(stem(text))
            if form is not None:
                return form, 2
        return None


@lru_cache(maxsize=100_000)
def _split(lexicon: Lexicon, word: str) -> tuple[str, ...]:
    if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or word in lexicon._whole:
        return ()
    found = _segment(lexicon, word)
    if found is None:
        return ()
    (_, adjustments), best = found
    if adjustments and word in lexicon._forms:
        # A word of the lexicon is split only into words as they stand ("Datenbank"), not
        # with linking letters guessed ("Redaktion" is no "Rede-Aktion").
        return ()
    leaves: list[str] = []
    for part in best:
        # Only shorter parts are split again, so the recursion ends whatever the lexicon.
        inner = _split(lexicon, part) if len(part) < len(word) else ()
        leaves.extend(inner or (part,))
    return tuple(leaves)


def _segment(lexicon: Lexicon, word: str) -> tuple[_Cost, tuple[str, ...]] | None:
    """The best cut of word into at least two lexicon words, by dynamic programming."""
    size = len(word)
    # tails[i]: the best (cost, parts) for word[i:], the last part being the compound's head.
    tails: dict[int, tuple[_Cost, tuple[str, ...]]] = {}
    for start in range(size - MIN_PART, -1, -1):
        if _start(word[start:]) not in lexicon._starts:
            continue  # no piece starting here can be a lexicon word
        candidates: list[tuple[_Cost, tuple[str, ...]]] = []
        head = lexicon._part(word[start:], last=True)
        if head is not None and start > 0:
            candidates.append(((1, head[1]), (head[0],)))
        # Only where a rest was found can a piece end; tails holds them, the last first.
        for end, rest in tails.items():
            if end - start < MIN_PART:
                continue
            piece = lexicon._part(word[start:end], last=False)
            if piece is not None:
                (parts, adjustments), tail = rest
                candidates.append(((parts + 1, adjustments + piece[1]), (piece[0], *tail)))
        if candidates:
            tails[start] = min(candidates, key=lambda candidate: candidate[0])
    found = tails.get(0)
    if found is None or len(found[1]) < 2:
        return None
    return found
