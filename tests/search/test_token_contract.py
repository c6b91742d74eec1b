"""The analyzer's tokens survive both databases' own tokenizers unchanged.

The index stores a field as its tokens joined by spaces; PostgreSQL reads that text with
`to_tsvector('simple', …)`, SQLite with FTS5's `unicode61` tokenizer. If either split or
changed a token, a search would miss what the analyzer promised to find.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from app.search.analyzer import DEFAULT_ANALYZER
from tests.search.relevance.ranker import load_corpus

HOSTILE = [
    "Bürgerbeteiligung über die Beteiligungsplattform, E-Akte, 5G-Netz, OZG-Umsetzung",
    "IT KI EU 5G 2024 1e5 0x12 3D B2B e2e v1.2 9.400 §35 ÖPNV",
    "Київ Москва Ελλάδα 東京 İstanbul Łódź Café naïve ½ ² Ⅻ ﬁnde",
    "\x00 😀 \u200b Bürger\u00adbeteiligung Mitarbeiter*innen",
    "a" * 300 + " " + "-".join(["Teil"] * 40),
]


def database_tokens(connection: Connection, stored: str) -> list[str]:
    """The tokens the database itself reads from stored text, in order."""
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TABLE IF EXISTS temp.contract"))
        connection.execute(text("DROP TABLE IF EXISTS temp.contract_vocab"))
        connection.execute(
            text("CREATE VIRTUAL TABLE temp.contract USING fts5(body, tokenize='unicode61')")
        )
        connection.execute(
            text(
                "CREATE VIRTUAL TABLE temp.contract_vocab USING fts5vocab(temp, contract, instance)"
            )
        )
        connection.execute(text("INSERT INTO temp.contract(body) VALUES (:body)"), {"body": stored})
        rows = connection.execute(text("SELECT term FROM temp.contract_vocab ORDER BY offset"))
        return [row.term for row in rows]
    rows = connection.execute(
        text("SELECT lexeme, positions FROM unnest(to_tsvector('simple', :body))"),
        {"body": stored},
    )
    placed = sorted((position, row.lexeme) for row in rows for position in row.positions)
    return [lexeme for _, lexeme in placed]


@pytest.mark.parametrize("sample", HOSTILE)
def test_tokens_are_read_back_unchanged(connection: Connection, sample: str) -> None:
    tokens = DEFAULT_ANALYZER.analyze(sample)

    assert tokens
    assert database_tokens(connection, " ".join(tokens)) == tokens


def test_the_whole_relevance_corpus_is_read_back_unchanged(connection: Connection) -> None:
    for document in load_corpus():
        tokens = [
            token
            for field in DEFAULT_ANALYZER.analyze_document(document.fields).values()
            for token in field
        ]
        assert database_tokens(connection, " ".join(tokens)) == tokens, document.id


def test_a_phrase_matches_in_the_database_as_in_the_analyzer(connection: Connection) -> None:
    stored = " ".join(DEFAULT_ANALYZER.analyze("Unser Open-Data-Portal und Data für alle, open"))
    query = DEFAULT_ANALYZER.analyze_query('"Open Data"')
    phrase = " ".join(query.phrases[0].tokens)

    if connection.dialect.name == "sqlite":
        database_tokens(connection, stored)
        found = connection.scalar(
            text("SELECT count(*) FROM temp.contract WHERE contract MATCH :phrase"),
            {"phrase": f'"{phrase}"'},
        )
    else:
        found = connection.scalar(
            text(
                "SELECT count(*) WHERE to_tsvector('simple', :body) "
                "@@ phraseto_tsquery('simple', :phrase)"
            ),
            {"body": stored, "phrase": phrase},
        )
    assert found == 1
    assert query.matches({"title": stored.split()})
