"""What an analyzed query asks for, and the reference meaning of a match.

Both databases translate a `Query` into their own syntax; `Query.matches` is the meaning
they must keep, and the tests hold them to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# One way a term can be present: every token of it in the document (in any field).
Alternative = tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """A word of the query (or a multi-word synonym), with the ways it can be present.

    The first alternative is the word itself; the others come from its compound parts
    ("Beteiligungsplattform": beteil AND plattform) and its synonyms ("OZG":
    onlinezugangsgesetz). A document has the term when it has all tokens of any one.
    """

    text: str
    alternatives: tuple[Alternative, ...]
    # Alternatives that make a document match but should rank below the others: the head
    # of a compound alone ("Bürgerbeteiligung" → beteil: "Jugendbeteiligung" is close).
    broader: tuple[Alternative, ...] = ()

    @property
    def tokens(self) -> frozenset[str]:
        """Every token of every alternative, the broader ones included."""
        return frozenset(
            t for alternative in (*self.alternatives, *self.broader) for t in alternative
        )

    def present_in(self, tokens: frozenset[str]) -> bool:
        """Whether a document with these tokens has this term."""
        return any(
            all(token in tokens for token in alternative)
            for alternative in (*self.alternatives, *self.broader)
        )


@dataclass(frozen=True)
class Phrase:
    """Quoted words that must stand next to each other, in this order, in one field."""

    text: str
    tokens: tuple[str, ...]

    def present_in(self, field_tokens: Sequence[str]) -> bool:
        """Whether the tokens occur consecutively in one field's token list."""
        size = len(self.tokens)
        if size == 0:
            return False
        first = self.tokens[0]
        return any(
            token == first and tuple(field_tokens[index : index + size]) == self.tokens
            for index, token in enumerate(field_tokens)
        )


@dataclass(frozen=True)
class Query:
    """Terms that must all be present, phrases that must all occur, excluded terms that
    must not be present and excluded phrases that must not occur."""

    terms: tuple[Term, ...] = ()
    phrases: tuple[Phrase, ...] = ()
    excluded: tuple[Term, ...] = ()
    excluded_phrases: tuple[Phrase, ...] = ()

    @property
    def has_exclusions(self) -> bool:
        return bool(self.excluded or self.excluded_phrases)

    @property
    def is_empty(self) -> bool:
        """True when nothing is asked for (only exclusions or stopwords do not count)."""
        return not self.terms and not self.phrases

    @property
    def tokens(self) -> frozenset[str]:
        """Every token that can make a document match (for highlighting and statistics)."""
        found = {token for term in self.terms for token in term.tokens}
        found.update(token for phrase in self.phrases for token in phrase.tokens)
        return frozenset(found)

    def matches(self, fields: Mapping[str, Sequence[str]]) -> bool:
        """Whether a document, as the analyzer's tokens per field, matches the query."""
        if self.is_empty:
            return False
        present = _all_tokens(fields.values())
        return (
            all(term.present_in(present) for term in self.terms)
            and all(
                any(phrase.present_in(tokens) for tokens in fields.values())
                for phrase in self.phrases
            )
            and not any(term.present_in(present) for term in self.excluded)
            and not any(
                any(phrase.present_in(tokens) for tokens in fields.values())
                for phrase in self.excluded_phrases
            )
        )


def _all_tokens(fields: Iterable[Sequence[str]]) -> frozenset[str]:
    return frozenset(token for tokens in fields for token in tokens)
