"""A reference ranker: BM25F over the analyzer's tokens, in pure Python.

It defines what "ranks well" means for the relevance set before any database search runs
on it: the same analyzer, the same field weights (title > tags and summary > description
> comments), the matching rules of `Query.matches`. The database search can later be held
to the same queries (tests/search/relevance/queries.json).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.search.analyzer import FIELD_WEIGHTS, Analyzer
from app.search.querymodel import Alternative, Query, Term
from app.search.typos import corrected

HERE = Path(__file__).resolve().parent
K1 = 1.2
B = 0.75
# A synonym or a compound's parts count a little less than the word as typed, so that a
# Vorhaben using the searcher's own word comes first.
OTHER_ALTERNATIVE = 0.8
# A compound's head alone (Term.broader) counts for half.
BROADER = 0.5


@dataclass(frozen=True)
class Document:
    """A Vorhaben of the corpus, as its fields' texts."""

    id: int
    fields: Mapping[str, str]


def load_corpus() -> list[Document]:
    """The fixed corpus; fields of action and tags are both searched as tags."""
    documents = []
    for item in json.loads((HERE / "corpus.json").read_text(encoding="utf-8")):
        tags = " ; ".join([*item["tags"], *item["fields_of_action"]])
        fields = {
            "title": item["title"],
            "tags": tags,
            "summary": item["summary"],
            "description": item["description"],
        }
        documents.append(Document(int(item["id"]), fields))
    return documents


def load_queries() -> list[tuple[str, frozenset[int]]]:
    """The queries and the ids a good search shows for each."""
    return [
        (item["query"], frozenset(item["relevant"]))
        for item in json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    ]


class Ranker:
    """BM25F over a fixed set of documents."""

    def __init__(self, analyzer: Analyzer, documents: Sequence[Document]) -> None:
        self.analyzer = analyzer
        self.tokens = {doc.id: analyzer.analyze_document(doc.fields) for doc in documents}
        self.counts = {
            doc_id: {name: Counter(tokens) for name, tokens in fields.items()}
            for doc_id, fields in self.tokens.items()
        }
        names = {name for fields in self.tokens.values() for name in fields}
        self.average = {
            name: max(1.0, sum(len(f.get(name, ())) for f in self.tokens.values()) / len(documents))
            for name in names
        }
        frequency: Counter[str] = Counter()
        for fields in self.tokens.values():
            frequency.update({token for tokens in fields.values() for token in tokens})
        self.idf = {
            token: math.log(1 + (len(documents) - uses + 0.5) / (uses + 0.5))
            for token, uses in frequency.items()
        }

    def search(self, query: str, limit: int = 5) -> list[int]:
        """The ids of the best matching documents, best first."""
        parsed = self.analyzer.analyze_query(query)
        if not any(parsed.matches(fields) for fields in self.tokens.values()):
            # Nothing has the words as typed: longer words widened by close ones
            # (app.search.typos), as the search does.
            parsed = corrected(parsed, self.idf.__contains__, lambda _token: self.idf)
        scored = [
            (self._score(parsed, doc_id), doc_id)
            for doc_id, fields in self.tokens.items()
            if parsed.matches(fields)
        ]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [doc_id for _, doc_id in scored[:limit]]

    def _token(self, doc_id: int, token: str) -> float:
        weighted = 0.0
        for name, counts in self.counts[doc_id].items():
            frequency = counts.get(token, 0)
            if frequency:
                length = sum(counts.values())
                norm = 1 - B + B * length / self.average[name]
                weighted += FIELD_WEIGHTS.get(name, 1.0) * frequency / norm
        return self.idf.get(token, 0.0) * weighted / (K1 + weighted)

    def _alternative(self, doc_id: int, alternative: Alternative) -> float:
        return sum(self._token(doc_id, token) for token in alternative) / len(alternative)

    def _term(self, doc_id: int, term: Term) -> float:
        weighted = [
            (alternative, 1.0 if index == 0 else OTHER_ALTERNATIVE)
            for index, alternative in enumerate(term.alternatives)
        ]
        weighted.extend((alternative, BROADER) for alternative in term.broader)
        return max(self._alternative(doc_id, alt) * weight for alt, weight in weighted)

    def _score(self, query: Query, doc_id: int) -> float:
        terms = sum(self._term(doc_id, term) for term in query.terms)
        phrases = sum(self._alternative(doc_id, phrase.tokens) for phrase in query.phrases)
        return terms + phrases


def precision_at(found: Sequence[int], relevant: frozenset[int], k: int = 5) -> float:
    """Share of the first k results that are relevant, out of what is attainable (a query
    with two relevant documents scores 1.0 when both are among the first five)."""
    return len(set(found[:k]) & relevant) / min(k, len(relevant))
