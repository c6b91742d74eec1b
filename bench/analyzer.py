"""Speed of the search analyzer: documents analyzed per second, and query latency.

    .venv/bin/python bench/analyzer.py [--documents 2000] [--queries 2000]

Documents come from the seed generator (the texts `allmende seed` writes) plus the
relevance corpus; queries from the relevance set and two-word combinations of common
municipal terms. Each measurement runs cold (caches emptied, as after a restart) and warm
(as in a running worker). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search import analyzer as analyzer_module  # noqa: E402
from app.search import compounds, stemming  # noqa: E402
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer  # noqa: E402
from app.seed import topics  # noqa: E402
from app.seed.vocab import CONTEXT_SENTENCES, LESSONS, STATUS_SENTENCES  # noqa: E402
from tests.search.relevance.ranker import load_corpus, load_queries  # noqa: E402

_COMMON = """
Digitalisierung Strategie Schule KI OZG Bürgerbeteiligung Abfall Sensoren Parken Nahverkehr
E-Akte Datenschutz Glasfaser Bauantrag Terminvergabe Pflege Kita Klima Chatbot Feuerwehr
Geodaten Förderung Wärmeplanung Beteiligungsplattform Breitband IT-Sicherheit Haushalt
"""
COMMON_TERMS = _COMMON.split()


def _clear() -> None:
    analyzer_module._analyze_word.cache_clear()
    compounds._split.cache_clear()
    stemming.stem.cache_clear()


def documents(count: int) -> list[dict[str, str]]:
    """Vorhaben-like documents: the relevance corpus and texts made from the seed topics."""
    rng = random.Random(18)
    found = [dict(doc.fields) for doc in load_corpus()]
    sentences = [*CONTEXT_SENTENCES, *STATUS_SENTENCES, *LESSONS]
    while len(found) < count:
        topic = rng.choice(topics.TOPICS)
        body = [topic.problem, *topic.goals, *topic.measures, *rng.sample(sentences, 8)]
        found.append(
            {
                "title": topic.name,
                "tags": " ; ".join(topic.tags),
                "summary": rng.choice(topic.goals),
                "description": " ".join(body),
                "comments": " ".join(rng.sample(sentences, 4)),
            }
        )
    return found[:count]


def queries(count: int) -> list[str]:
    rng = random.Random(18)
    found = [query for query, _ in load_queries()] + COMMON_TERMS
    while len(found) < count:
        found.append(" ".join(rng.sample(COMMON_TERMS, 2)))
    return found[:count]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def quantile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100)[share - 1] if share < 100 else max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    docs = documents(args.documents)
    texts = queries(args.queries)
    analyzer = DEFAULT_ANALYZER
    tokens = sum(len(t) for doc in docs for t in analyzer.analyze_document(doc).values())
    words = sum(len(text.split()) for doc in docs for text in doc.values())

    _clear()
    cold = timed(lambda: [analyzer.analyze_document(doc) for doc in docs])
    warm = timed(lambda: [analyzer.analyze_document(doc) for doc in docs])
    rows = [
        (
            f"documents/s ({len(docs):,} Vorhaben, {words / len(docs):.0f} words each)",
            f"{len(docs) / cold:,.0f}",
            f"{len(docs) / warm:,.0f}",
        ),
        (f"tokens/s ({tokens:,} tokens)", f"{tokens / cold:,.0f}", f"{tokens / warm:,.0f}"),
    ]

    def cold_query(text: str) -> float:
        _clear()  # as for a query no one asked before
        return timed(partial(analyzer.analyze_query, text)) * 1e6

    cold_latency = [cold_query(text) for text in texts]
    warm_latency = [timed(partial(analyzer.analyze_query, text)) * 1e6 for text in texts]
    for label, share in (("p50", 50), ("p95", 95), ("max", 100)):
        rows.append(
            (
                f"query {label} (µs, {len(texts):,} queries)",
                f"{quantile(cold_latency, share):,.0f}",
                f"{quantile(warm_latency, share):,.0f}",
            )
        )
    hostile = "Bürgerbeteiligungs" * 2_800  # 50,000 characters without a space
    prose = " ".join(doc["description"] for doc in docs)[:50_000]
    for label, text in (("a 50,000-character word", hostile), ("50,000 characters", prose)):
        _clear()
        first = timed(partial(analyzer.analyze, text)) * 1e3
        again = timed(partial(analyzer.analyze, text)) * 1e3
        rows.append((f"{label} of text (ms)", f"{first:.1f}", f"{again:.1f}"))
    rows.append(("Analyzer() with the default lists (ms)", f"{timed(Analyzer) * 1e3:.1f}", ""))

    print("| measurement | cold | warm |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
