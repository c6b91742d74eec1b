"""An analyzed query (app.search.querymodel) as PostgreSQL tsquery and FTS5 MATCH text.

Tokens are `[a-z0-9]+` (the analyzer's contract), so they need no escaping; FTS5 gets each
one quoted anyway, so that no token is ever read as an operator. Both translate the same
structure the same way:

    term        (alt1 | alt2 | (part1 & part2))        (alt1 OR alt2 OR (part1 AND part2))
    phrase      (word1 <-> word2)                      "word1 word2"
    query       term & phrase & !(excluded | …)        term AND phrase NOT (excluded OR …)
                (excluded: the terms without broader alternatives, and the phrases)

`Query.matches` is the meaning both keep (tests/search/test_query_db.py).
"""

from __future__ import annotations

from app.search.querymodel import Alternative, Phrase, Query, Term


def _alternatives(term: Term, *, broader: bool = True) -> list[Alternative]:
    return [*term.alternatives, *(term.broader if broader else ())]


# -- PostgreSQL: to_tsquery('simple', …) ----------------------------------------------------


def _ts_alternative(tokens: Alternative, weights: str) -> str:
    suffix = f":{weights}" if weights else ""
    return " & ".join(f"{token}{suffix}" for token in tokens)


def _ts_term(term: Term, weights: str = "", *, broader: bool = True) -> str:
    return (
        "("
        + " | ".join(
            f"({_ts_alternative(tokens, weights)})"
            for tokens in _alternatives(term, broader=broader)
        )
        + ")"
    )


def _ts_phrase(phrase: Phrase) -> str:
    return "(" + " <-> ".join(phrase.tokens) + ")"


def tsquery(query: Query) -> str:
    """The whole query (every term and phrase, none of the excluded terms)."""
    parts = [_ts_term(term) for term in query.terms] + [_ts_phrase(p) for p in query.phrases]
    text = " & ".join(parts)
    if query.has_exclusions:
        text = f"({text}) & !({ts_excluded(query)})"
    return text


def ts_excluded(query: Query) -> str:
    """Any of the excluded terms (without their broader alternatives) and phrases."""
    return " | ".join(
        [_ts_term(term, broader=False) for term in query.excluded]
        + [_ts_phrase(phrase) for phrase in query.excluded_phrases]
    )


def ts_title(query: Query) -> str:
    """Any term or phrase (the first tier of candidates: a hit in the title)."""
    return " | ".join(
        [_ts_term(term) for term in query.terms] + [_ts_phrase(p) for p in query.phrases]
    )


# -- SQLite: FTS5 MATCH ---------------------------------------------------------------------


def _fts_alternative(tokens: Alternative) -> str:
    return "(" + " AND ".join(f'"{token}"' for token in tokens) + ")"


def _fts_term(term: Term, *, broader: bool = True) -> str:
    return (
        "("
        + " OR ".join(_fts_alternative(tokens) for tokens in _alternatives(term, broader=broader))
        + ")"
    )


def _fts_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(phrase.tokens) + '"'


def fts_match(query: Query) -> str:
    """The whole query (every term and phrase, none of the excluded terms)."""
    parts = [_fts_term(term) for term in query.terms] + [_fts_phrase(p) for p in query.phrases]
    text = "(" + " AND ".join(parts) + ")"
    if query.has_exclusions:
        text = f"{text} NOT {fts_excluded(query)}"
    return text


def fts_excluded(query: Query) -> str:
    """Any of the excluded terms (without their broader alternatives) and phrases."""
    parts = [_fts_term(term, broader=False) for term in query.excluded]
    parts += [_fts_phrase(phrase) for phrase in query.excluded_phrases]
    return "(" + " OR ".join(parts) + ")"


def fts_title(query: Query) -> str:
    """Any term or phrase, in the title column only (the first tier of candidates)."""
    parts = [_fts_term(term) for term in query.terms] + [_fts_phrase(p) for p in query.phrases]
    return "{tokens_a} : (" + " OR ".join(parts) + ")"
