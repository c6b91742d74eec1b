"""Pools of generated texts, rendered and analyzed once and reused for many rows.

Rendering Markdown and analyzing text for search are the slow parts of making a row; a
pool of a few thousand distinct texts per kind keeps a million comments affordable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.core import markdown
from app.search.analyzer import DEFAULT_ANALYZER
from app.search.index import joined
from app.seed import text
from app.seed.topics import TOPICS


@dataclass(frozen=True)
class Rendered:
    source: str
    html: str
    tokens: str  # the analyzer's tokens of source, as the search index stores them


def _rendered(source: str) -> Rendered:
    return Rendered(source, markdown.render(source), joined(DEFAULT_ANALYZER, source))


@dataclass(frozen=True)
class Pools:
    descriptions: list[list[Rendered]]  # per topic (index into TOPICS)
    comments: list[list[Rendered]]  # per topic
    lessons: list[Rendered]


def build(rng: random.Random, *, descriptions: int, comments: int, year: int) -> Pools:
    """Pools of about the given sizes, spread evenly over the topics."""
    per_topic_descriptions = max(2, descriptions // len(TOPICS))
    per_topic_comments = max(4, comments // len(TOPICS))
    return Pools(
        descriptions=[
            [_rendered(text.description(rng, topic, year)) for _ in range(per_topic_descriptions)]
            for topic in TOPICS
        ],
        comments=[
            [_rendered(text.comment(rng, topic, year)) for _ in range(per_topic_comments)]
            for topic in TOPICS
        ],
        lessons=[_rendered(text.lessons_learned(rng)) for _ in range(200)],
    )
