"""Analyzing text for a bulk rebuild of the search index in worker processes.

A rebuild (app.search.bulk) analyzes every Vorhaben and comment again: at 100,000 Vorhaben and
1,000,000 comments most of its time is the analyzer's Python, on one core, while the
database waits. `mapped` hands batches of rows to worker processes and gives their results
back in order, so the process that writes them keeps one connection and one transaction
order. The workers are started fresh (`spawn`: nothing of the caller's connections or
threads is copied into them), analyze with the default analyzer and never touch the
database.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from itertools import chain, islice
from typing import TypeVar

from app.search import similar
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer
from app.search.index import comment_columns, vorhaben_columns

Item = TypeVar("Item")
Result = TypeVar("Result")

# Batches in flight per worker process: enough to keep each busy while the caller writes,
# few enough that a rebuild's memory stays that of a handful of batches.
IN_FLIGHT = 2


def processes() -> int:
    """How many worker processes a rebuild uses: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def mapped(
    work: Callable[[list[Item]], Result], batches: Iterable[list[Item]], *, workers: int
) -> Iterator[Result]:
    """work(batch) for each batch, in the batches' order; in `workers` processes when more
    than one and there is more than one batch (work must then be a module-level function
    and the items picklable). A small index (the tests', a demo's) is analyzed here."""
    batches = iter(batches)
    first = list(islice(batches, 2))
    if workers <= 1 or len(first) < 2:
        yield from map(work, chain(first, batches))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Result]] = deque()
        try:
            for batch in chain(first, batches):
                pending.append(pool.submit(work, batch))
                if len(pending) >= workers * IN_FLIGHT:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


# -- what a rebuild analyzes, batch by batch (module-level: the workers unpickle them) --


VorhabenText = tuple[int, str, str, str, str, list[str], list[str]]


def vorhaben_entries(
    batch: list[VorhabenText], analyzer: Analyzer = DEFAULT_ANALYZER
) -> list[dict[str, object]]:
    """The token columns of Vorhaben (id, title, summary, description, lessons learned,
    tags, fields of action), as rows of reindex()'s update."""
    return [
        {
            **vorhaben_columns(
                title=title,
                summary=summary,
                description=description,
                lessons_learned=lessons,
                tags=tags,
                fields=fields,
                analyzer=analyzer,
            ),
            "kind": "vorhaben",
            "ref_id": vorhaben_id,
        }
        for vorhaben_id, title, summary, description, lessons, tags, fields in batch
    ]


def comment_entries(
    batch: list[tuple[int, str]], analyzer: Analyzer = DEFAULT_ANALYZER
) -> list[dict[str, object]]:
    """The token columns of comments (id, body), as rows of reindex()'s update."""
    return [
        {**comment_columns(body, analyzer), "kind": "comment", "ref_id": comment_id}
        for comment_id, body in batch
    ]


Work = TypeVar("Work", bound=Callable[..., list[dict[str, object]]])


def analyzing(work: Work, analyzer: Analyzer) -> Callable[..., list[dict[str, object]]]:
    """The batch function for parallel.mapped: the module-level one (picklable) for the
    default analyzer, bound to another analyzer otherwise (then run in this process)."""
    return work if analyzer is DEFAULT_ANALYZER else partial(work, analyzer=analyzer)


def workers_for(analyzer: Analyzer, workers: int | None) -> int:
    """Worker processes analyze with the default analyzer only (another one, a test's or a
    benchmark's, is not handed to them)."""
    if analyzer is not DEFAULT_ANALYZER:
        return 1
    return processes() if workers is None else workers


def chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


TermRow = tuple[str, int, int, str]  # term, Vorhaben, weight, scope


def term_rows(batch: list[tuple[int, str, str, str, str, list[str]]]) -> list[TermRow]:
    """The similar-Vorhaben terms of Vorhaben (id, title, summary, description, scope,
    tags), as rows of vorhaben_terms."""
    return [
        (term, vorhaben_id, weight, scope)
        for vorhaben_id, title, summary, description, scope, tags in batch
        for term, weight in similar.stored_terms(
            title=title, summary=summary, tags=tags, description=description
        ).items()
    ]
