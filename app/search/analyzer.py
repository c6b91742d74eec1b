"""The German analyzer: one way to turn text into search tokens, for both databases.

Text → NFKC → words (a hyphenated word is one word; "Bürger*innen" is "Bürger") → each
word, lowercased, stemmed with Snowball German and folded to ASCII ("Müll", "Muell" →
"mull"; "Schulen" → "schul") → plus the stems of its compound parts
("Digitalisierungsstrategie" → also "digitalisier", "strategi") and of its hyphenated
parts ("5G-Netz" → "5gnetz", also "5g", "netz"). Stopwords go; abbreviations written in
capitals ("IT", "OB") stay, and no word is dropped for being short.

The token contract (what the index stores; see docs/search.md):
- a token is `[a-z0-9]+`, 2 to 48 characters;
- a text's token list holds its words' tokens in reading order, then for each word with
  derived tokens (compound and hyphen parts) the token GAP and those parts, so words stay
  adjacent for phrases and a phrase never spans from a word to a part or between the parts
  of two words; a stored column ends each of its texts with GAP (app.search.index.joined),
  so no phrase spans two texts or, on PostgreSQL, two weight columns;
- the database stores `" ".join(tokens)` per field: PostgreSQL as
  `setweight(to_tsvector('simple', …), weight)`, SQLite FTS5 with the `unicode61` or
  `ascii` tokenizer. Both split that text back into exactly these tokens.

Synonyms are applied to queries only (`analyze_query`), so editing them needs no reindex;
the lexicon and stopwords shape the stored tokens, and `fingerprint` changes with them.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from app.search import lexicon as words_list
from app.search import syntax
from app.search.compounds import Lexicon
from app.search.querymodel import Alternative, Phrase, Query, Term
from app.search.stemming import canonical, stem
from app.search.synonyms import DEFAULT_SYNONYMS, Synonyms

VERSION = 2  # raise when a change here changes the tokens of stored text (2: gender forms
# inside compounds; GAP)
# A token no word yields (a word that would is dropped): stored where a phrase must not
# match across, after each text and between a word and the parts of words (PostgreSQL
# numbers the positions of the weight columns on from one another, so a title's last word
# stood next to the summary's first).
GAP = "x0gap0x"
MAX_WORD = 64  # characters of a word that are analyzed; the rest of a longer one is cut
MAX_TOKEN = 48
MAX_TEXT = 200_000  # characters of one field; a longer text is cut
MAX_TERMS = 12
MAX_PHRASES = 4
MAX_PHRASE_TOKENS = 12
MAX_EXCLUDED = 8
MAX_ALTERNATIVES = 16
MAX_SYNONYM_WORDS = 6
MODIFIER = 0.5  # similarity weight of a compound's part other than its head
SYNONYM = 0.8  # similarity weight of a synonym's token
MIN_HEAD = 8  # letters of a compound's last part for it to match alone (Term.broader)

# Field weights for ranking: title > tags and summary > description > comments.
# PostgreSQL's four tsvector weights map to them as A, B, B, C, D.
FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 3.0,
    "tags": 2.0,
    "summary": 2.0,
    "description": 1.0,
    "comments": 0.5,
}

# Invisible characters that split a word where the reader sees none (soft hyphen,
# zero-width space and joiners, word joiner, BOM, bidi marks): removed before splitting.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Gender forms: "Bürger*innen", "Bürger:innen", "Bürger_innen", "Bürger/-innen",
# "BürgerInnen" are found as "Bürger", and inside a compound too: "Bürger*innenbeteiligung",
# "BürgerInnenbeteiligung" as "Bürgerbeteiligung".
_GENDER = re.compile(
    r"(?<=[^\W\d_])(?:[*:_]|/-?)(?:innen|in)\b|(?<=[^\W\d_])[*:_]innen(?=[^\W\d_])"
    r"|(?<=[a-zäöüß])(?:Innen|In)\b|(?<=[a-zäöüß])Innen(?=[a-zäöüß])"
)
_WORD = re.compile(r"[^\W_]+(?:[-‐‑][^\W_]+)*")
_HYPHEN = re.compile(r"[-‐‑]")
_MAX_ACRONYM = 8


@dataclass(frozen=True)
class Word:
    """The analysis of one word: its token, the tokens of all its parts (stored with the
    document), and the parts that together say what the word says (None where a piece
    of it was dropped: "E-Akte" is more than "Akte")."""

    token: str
    parts: tuple[str, ...] = ()
    pieces: tuple[str, ...] | None = None
    head: str | None = None  # a compound's last part, when long enough to say something


DEFAULT_LEXICON = Lexicon.of(words_list.WORDS, words_list.KEEP_WHOLE)


@dataclass(frozen=True)
class Analyzer:
    """The configured analyzer; immutable and hashable, so one can key a cache.

    `Analyzer(synonyms=Synonyms.parse(text_from_the_database))` uses an edited synonym
    list; the default is the shipped one.
    """

    synonyms: Synonyms = DEFAULT_SYNONYMS
    lexicon: Lexicon = DEFAULT_LEXICON
    stopwords: frozenset[str] = words_list.STOPWORDS
    _stop: frozenset[str] = field(init=False, repr=False, compare=False)
    _groups: tuple[tuple[Alternative, ...], ...] = field(init=False, repr=False, compare=False)
    _group_of: dict[Alternative, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stop", frozenset(canonical(w) for w in self.stopwords))
        groups: list[tuple[Alternative, ...]] = []
        group_of: dict[Alternative, int] = {}
        for group in self.synonyms.groups:
            alternatives: list[Alternative] = []
            for expression in group:
                analyzed = self._expression(expression)
                if analyzed is None:
                    continue
                alternatives.append(tuple(item.token for item in analyzed))
                pieces = analyzed[0].pieces
                if len(analyzed) == 1 and pieces is not None and len(pieces) >= 2:
                    alternatives.append(pieces)
            if len(set(alternatives)) < 2:
                continue
            for alternative in alternatives:
                # An expression in two groups belongs to the first (as listed).
                group_of.setdefault(alternative, len(groups))
            groups.append(_simplest(alternatives))
        object.__setattr__(self, "_groups", tuple(groups))
        object.__setattr__(self, "_group_of", group_of)

    @property
    def fingerprint(self) -> str:
        """Changes whenever stored tokens would: compare it with the index's to know
        when to rebuild. Synonyms are not part of it (they apply to queries only)."""
        digest = hashlib.sha256(f"v{VERSION}".encode())
        for name, words in (
            ("words", self.lexicon.words),
            ("whole", self.lexicon.keep_whole),
            ("stop", self.stopwords),
        ):
            digest.update(f"\n{name}:".encode() + " ".join(sorted(words)).encode())
        return digest.hexdigest()[:16]

    def synonym_tokens(self, expression: str) -> tuple[str, ...] | None:
        """An expression of a synonym group as queries match it (its words' tokens); None
        where it is left out: no word that is not a stopword, or more than
        MAX_SYNONYM_WORDS words."""
        analyzed = self._expression(expression)
        return None if analyzed is None else tuple(item.token for item in analyzed)

    def _expression(self, expression: str) -> list[Word] | None:
        analyzed = [item for item in map(self.word, _words(expression)) if item]
        if not analyzed or len(analyzed) > MAX_SYNONYM_WORDS:
            return None
        return analyzed

    def word(self, raw: str) -> Word | None:
        """The analysis of one word as written (None for a stopword or nothing left)."""
        return _analyze_word(self.lexicon, self._stop, raw[:MAX_WORD])

    def analyze(self, text: str) -> list[str]:
        """The tokens of one text: the words' tokens in order, then each word's parts after
        a GAP (a phrase matches within a word's parts, "Open Data" in "Open-Data-Portal",
        never from a word to the parts or from one word's parts to the next's)."""
        analyzed = [item for item in map(self.word, _words(text[:MAX_TEXT])) if item]
        tokens = [item.token for item in analyzed]
        for item in analyzed:
            if item.parts:
                tokens.append(GAP)
                tokens.extend(item.parts)
        return tokens

    def analyze_document(self, fields: Mapping[str, str]) -> dict[str, list[str]]:
        """The tokens of each field of a document (see the module's token contract)."""
        return {name: self.analyze(text) for name, text in fields.items()}

    def analyze_query(self, query: str) -> Query:
        """The terms, "phrases" and -excluded terms of what someone typed."""
        parsed = syntax.parse(query)
        words = [word for chunk in parsed.words for word in _words(chunk)]
        terms = self._terms(_analyzed(self, words))[:MAX_TERMS]
        phrases = self._phrases(parsed.phrases)
        # An excluded word removes what has it, not everything that shares its head:
        # "-Bürgerbeteiligung" keeps the "Jugendbeteiligung".
        # The limits count what is left after stopwords: "-der -die … -Dorf" excludes Dorf.
        excluded = [
            replace(term, broader=())
            for text in parsed.excluded
            for term in self._terms(_analyzed(self, _words(text)))
        ]
        # An excluded "phrase" removes what has its words next to each other, not what has
        # one of them: "Schule -\"digitale Schule\"" keeps the Schule.
        excluded_phrases = self._phrases(parsed.excluded_phrases)
        return Query(tuple(terms), tuple(phrases), tuple(excluded[:MAX_EXCLUDED]), excluded_phrases)

    def _phrases(self, texts: Sequence[str]) -> tuple[Phrase, ...]:
        phrases: list[Phrase] = []
        for text in texts:
            tokens = tuple(item.token for _, item in _analyzed(self, _words(text)))
            if tokens:  # a phrase of stopwords only ("der die") takes no place
                phrases.append(Phrase(text, tokens[:MAX_PHRASE_TOKENS]))
                if len(phrases) == MAX_PHRASES:
                    break
        return tuple(phrases)

    def similarity_terms(self, text: str, *, expand: bool = False) -> list[str]:
        """The distinct telling tokens of a text for finding similar Vorhaben: words and
        their parts, without numbers. With expand (for the text looked up, not the one
        stored), the tokens of its synonyms too."""
        analyzed = _analyzed(self, _words(text[:MAX_TEXT]))
        found: dict[str, None] = {}
        for _, item in analyzed:
            for token in (item.token, *item.parts):
                found.setdefault(token, None)
        if expand:
            for term in self._terms(analyzed):
                for alternative in term.alternatives:
                    for token in alternative:
                        found.setdefault(token, None)
        return [token for token in found if not token.isdigit()]

    def similarity_weights(self, text: str, *, expand: bool = False) -> dict[str, float]:
        """similarity_terms() with how much each token says about the text: a word and the
        head of a compound (its last part) 1.0, a compound's other parts MODIFIER (the
        "Bürger" of "Bürgerbeteiligung" and "Bürgerkonto" says less than their heads),
        a synonym's tokens SYNONYM."""
        found: dict[str, float] = {}

        def add(token: str, weight: float) -> None:
            if not token.isdigit() and found.get(token, 0.0) < weight:
                found[token] = weight

        analyzed = _analyzed(self, _words(text[:MAX_TEXT]))
        for _, item in analyzed:
            add(item.token, 1.0)
            head = item.pieces[-1] if item.pieces else None
            for part in item.parts:
                add(part, 1.0 if part == head else MODIFIER)
        if expand:
            for term in self._terms(analyzed):
                for alternative in term.alternatives[1:]:
                    for token in alternative:
                        if token not in found:  # a part of the word keeps its weight
                            add(token, SYNONYM)
        return found

    def _terms(self, analyzed: Sequence[tuple[str, Word]]) -> list[Term]:
        """Query terms of a run of words, multi-word synonyms recognised (longest first)."""
        terms: list[Term] = []
        index = 0
        while index < len(analyzed):
            for size in range(min(MAX_SYNONYM_WORDS, len(analyzed) - index), 0, -1):
                run = analyzed[index : index + size]
                group = self._group_of.get(tuple(item.token for _, item in run))
                if group is not None or size == 1:
                    break
            text = " ".join(raw for raw, _ in run)
            alternatives = list(self._groups[group]) if group is not None else []
            broader: tuple[Alternative, ...] = ()
            if size == 1:
                item = run[0][1]
                alternatives.insert(0, (item.token,))
                if item.pieces is not None and len(item.pieces) >= 2:
                    alternatives.extend(self._expanded_parts(item.pieces))
                if item.head is not None:
                    broader = ((item.head,),)
            kept = _simplest(alternatives)
            terms.append(Term(text, kept, tuple(b for b in broader if b not in kept)))
            index += size
        return terms

    def _expanded_parts(self, parts: tuple[str, ...]) -> list[Alternative]:
        """All parts together, each part also as any of its synonyms ("OZG-Umsetzung":
        ozg AND umsetz, or onlinezugangsgesetz AND umsetz)."""
        options = [
            self._groups[self._group_of[(part,)]] if (part,) in self._group_of else ((part,),)
            for part in parts
        ]
        combined = itertools.islice(itertools.product(*options), MAX_ALTERNATIVES)
        return [tuple(dict.fromkeys(t for alt in choice for t in alt)) for choice in combined]


def written(text: str) -> str:
    """A text as the analyzer reads it before splitting it into words: NFKC, invisible
    characters removed, gender forms folded (the words of Term.text come from this)."""
    return _GENDER.sub("", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)))


def _words(text: str) -> list[str]:
    """The words of a text as written: hyphenated words whole, gender forms folded."""
    return _WORD.findall(written(text))


def _analyzed(analyzer: Analyzer, raw_words: Iterable[str]) -> list[tuple[str, Word]]:
    return [(raw, item) for raw in raw_words if (item := analyzer.word(raw[:MAX_WORD])) is not None]


def _simplest(alternatives: Iterable[Alternative]) -> tuple[Alternative, ...]:
    """Distinct alternatives, in order, without those that ask for more than another."""
    unique = list(dict.fromkeys(alternatives))
    sets = [frozenset(alternative) for alternative in unique]
    kept = [
        alternative
        for alternative, tokens in zip(unique, sets, strict=True)
        if not any(other < tokens for other in sets)
    ]
    return tuple(kept[:MAX_ALTERNATIVES])


def _is_acronym(raw: str) -> bool:
    """Written in capitals, like "IT", "OZG", "5G" or "ÖPNV" (so never a stopword)."""
    letters = [char for char in raw if char.isalpha()]
    return len(raw) <= _MAX_ACRONYM and bool(letters) and all(c.isupper() for c in letters)


@lru_cache(maxsize=200_000)
def _analyze_word(lexicon: Lexicon, stop: frozenset[str], raw: str) -> Word | None:
    keep_short = _is_acronym(raw)
    pieces = [piece.casefold() for piece in _HYPHEN.split(raw) if piece]
    if not pieces:
        return None
    if len(pieces) == 1:
        return _single(lexicon, stop, pieces[0], keep_short=keep_short)
    token = _token(stem("".join(pieces)))
    if token is None:
        return None
    parts: dict[str, None] = {}
    tokens: list[str] = []
    for piece in pieces:
        item = _single(lexicon, stop, piece, keep_short=keep_short or _is_acronym(piece))
        if item is not None:
            tokens.append(item.token)
            for part in (item.token, *item.parts):
                if part != token:
                    parts.setdefault(part, None)
    complete = len(tokens) == len(pieces)
    return Word(token, tuple(parts), tuple(tokens) if complete else None)


def _single(lexicon: Lexicon, stop: frozenset[str], word: str, *, keep_short: bool) -> Word | None:
    if not keep_short and canonical(word) in stop:
        return None
    token = _token(stem(word))
    if token is None:
        return None
    split = lexicon.split(word)
    stems = [_token(stem(part)) for part in split]
    parts = tuple(part for part in stems if part is not None)
    complete = len(parts) == len(stems) and len(parts) >= 2
    # A short head ("-amt", "-plan", "-steuer") says too little to find anything alone.
    head = stems[-1] if complete and len(split[-1]) >= MIN_HEAD else None
    return Word(
        token,
        tuple(dict.fromkeys(part for part in parts if part != token)),
        parts if complete else None,
        head,
    )


def _token(stemmed: str) -> str | None:
    token = stemmed[:MAX_TOKEN]
    return token if len(token) >= 2 and token != GAP else None


DEFAULT_ANALYZER = Analyzer()
