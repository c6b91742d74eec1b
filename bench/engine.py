"""Side by side: the database index against an embedded engine (tantivy) on the same tokens.

    .venv/bin/pip install -e '.[bench]'   (tantivy: not a dependency of the product)
    .venv/bin/python bench/engine.py --db sqlite|postgresql [--quick] [--rounds 3]
        [--threads 4] [--keep /tmp/allmende_bench_tantivy]

Issue 18 asks whether an embedded engine would serve search better than the database.
This reads the search entries of the database bench/exchange.py seeded (the analyzer's
tokens per weight column, the entry's kind, Vorhaben and scope), builds a tantivy index of
them in a directory of its own, and runs the queries of bench/search.py (analyzed by the
product's analyzer; a term is any of its alternatives, in any column, the terms all
required, as the product's match) as one member of a municipality, with the product's
visibility rule (an open entry, or one of a Vorhaben the member may see). Only what those
queries need is mirrored: plain terms, no phrases, no excluded words, no filters (the
script refuses other queries), and it checks first that tantivy's candidates are the
product's, query by query.

It reports, per query, the milliseconds of:
- `engine`: tantivy ranks everything itself (BM25, column boosts title 3 > tags and
  summary 2 > description 1 > comments 0.5) and returns the top 20 and the count;
- `candidates`: tantivy finds the candidates as the database's lookups do (the product's
  three tiers: Vorhaben with a term in the title, Vorhaben whose own text matches,
  comments; newest first, 500 in all) and counts the Vorhaben whose own text matches; the
  product's own ranking (app.search.ranking) scores the candidates from their tokens, read
  from the database, a Vorhaben by its best entry, and the first page's 20 cards are
  loaded as the product loads them (what the product does besides: the comments shown for
  hits found only in a comment, the typo correction when nothing matched);
- `product`: the product's whole search service (app.search.query.search: lookups,
  ranking, the count, the page's cards) on the same database, for the same reader;
single-threaded, and the searches per second with `--threads` threads at once (tantivy
releases the interpreter lock while it searches; the product's ranking does not).

BM25 counts document frequencies over the whole index, restricted Vorhaben included: that
ranking could tell a reader whether a word occurs in text they may not see (issue 18,
item 4), and tantivy's Python binding offers no scorer of one's own. So the `engine` row
shows what an engine could serve, not a ranking the product may use as it is. Results
are in docs/search.md ("Eine eingebettete Suchmaschine im Vergleich").
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, String, bindparam, select, type_coerce

from app.accounts.models import Account
from app.db import (
    ids_value,
    is_sqlite,
    make_engine,
    make_session_factory,
    one_of_ids,
    read_only,
)
from app.search import query as search_query
from app.search.analyzer import DEFAULT_ANALYZER
from app.search.models import EntryKind, SearchEntry
from app.search.querymodel import Query, Term
from app.search.ranking import COLUMNS, WEIGHTS, Scorer
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import VorhabenFilter, load_cards
from app.vorhaben.visibility import OPEN_SCOPE, visible_clause

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import exchange
from bench.search import PAIRS, TERMS, _percentile, member_id, out

try:  # untyped here on purpose: the product does not depend on it, mypy may not see it
    tantivy: Any = importlib.import_module("tantivy")
except ImportError:  # a benchmark's optional tool
    sys.exit("bench/engine.py needs tantivy: .venv/bin/pip install -e '.[bench]'")

BATCH = 20_000


def schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("vorhaben_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("kind", stored=True, tokenizer_name="raw")
    builder.add_text_field("scope", tokenizer_name="raw")
    for name in COLUMNS:
        # The stored tokens are the analyzer's already: split at spaces, nothing else.
        builder.add_text_field(name, tokenizer_name="whitespace")
    return builder.build()


def entries(engine: Engine) -> Iterator[list[Any]]:
    """The search entries in batches of BATCH rows, by id."""
    last = 0
    columns = [getattr(SearchEntry, name) for name in COLUMNS]
    kind = type_coerce(SearchEntry.kind, String)
    batch = select(SearchEntry.id, SearchEntry.vorhaben_id, kind, SearchEntry.scope, *columns)
    batch = batch.where(SearchEntry.id > bindparam("last")).order_by(SearchEntry.id).limit(BATCH)
    while True:
        with engine.connect() as connection:
            rows = connection.execute(batch, {"last": last}).all()
        if not rows:
            return
        last = rows[-1][0]
        yield list(rows)


def build(engine: Engine, directory: Path) -> tuple[Any, float, int]:
    """The tantivy index of every search entry: the index, seconds, entries."""
    index = tantivy.Index(schema(), path=str(directory))
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    started = time.perf_counter()
    count = 0
    for batch in entries(engine):
        for entry_id, vorhaben_id, kind, scope, *tokens in batch:
            document = tantivy.Document(id=entry_id, vorhaben_id=vorhaben_id, kind=kind)
            document.add_text("scope", scope)
            for name, value in zip(COLUMNS, tokens, strict=True):
                if value:
                    document.add_text(name, value)
            writer.add_document(document)
        count += len(batch)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started, count


def size_mb(directory: Path) -> float:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 2**20


def restricted_visible(engine: Engine, account_id: int) -> list[int]:
    """The Vorhaben whose entries are not open (any scope but OPEN_SCOPE: restricted,
    hidden, unknown) and that the member may see: with open entries, what the product's
    scoped_visible_clause() lets through."""
    restricted = select(SearchEntry.vorhaben_id).where(SearchEntry.scope != OPEN_SCOPE)
    with make_session_factory(engine)() as db:
        reader = db.get(Account, account_id)
        assert reader is not None
        return list(
            db.scalars(
                select(Vorhaben.id).where(Vorhaben.id.in_(restricted), visible_clause(reader))
            )
        )


def _token(index: Any, value: str, columns: tuple[str, ...], boosts: bool) -> Any:
    """A token in any of the columns (boosted by the columns' weights, if asked)."""
    found = []
    for name in columns:
        query = tantivy.Query.term_query(index.schema, name, value)
        if boosts:
            query = tantivy.Query.boost_query(query, WEIGHTS[name])
        found.append((tantivy.Occur.Should, query))
    return tantivy.Query.boolean_query(found)


def _term(index: Any, term: Term, columns: tuple[str, ...], boosts: bool) -> Any:
    """Any of a term's alternatives (the broader ones too), each with all its tokens."""
    should = tantivy.Occur.Should
    alternatives = [
        (
            should,
            tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, _token(index, token, columns, boosts)) for token in tokens]
            ),
        )
        for tokens in (*term.alternatives, *term.broader)
    ]
    return tantivy.Query.boolean_query(alternatives)


def _visible(index: Any, visible: list[int]) -> Any:
    """Open entries, or those of the restricted Vorhaben the reader may see (unscored)."""
    should = tantivy.Occur.Should
    scope = tantivy.Query.boolean_query(
        [
            (should, tantivy.Query.term_query(index.schema, "scope", OPEN_SCOPE)),
            (should, tantivy.Query.term_set_query(index.schema, "vorhaben_id", visible)),
        ]
    )
    return tantivy.Query.const_score_query(scope, 0.0)


def engine_query(index: Any, analyzed: Query, visible: list[int]) -> Any:
    """Every term required, each in any column; ranked by tantivy (BM25, column boosts)."""
    must = tantivy.Occur.Must
    terms = [(must, _term(index, term, COLUMNS, True)) for term in analyzed.terms]
    return tantivy.Query.boolean_query([*terms, (must, _visible(index, visible))])


def tier_queries(index: Any, analyzed: Query, visible: list[int]) -> list[Any]:
    """The product's three tiers of candidates (app.search.query._ranked), unscored: Vorhaben
    with a term in the title, Vorhaben whose own text matches, comments that match."""
    must, should = tantivy.Occur.Must, tantivy.Occur.Should
    own_columns, comment_columns = COLUMNS[:3], COLUMNS[3:]

    def kind(value: EntryKind) -> Any:
        return (must, tantivy.Query.term_query(index.schema, "kind", value.value))

    own = [(must, _term(index, term, own_columns, False)) for term in analyzed.terms]
    title = tantivy.Query.boolean_query(
        [(should, _term(index, term, COLUMNS[:1], False)) for term in analyzed.terms]
    )
    comments = [(must, _term(index, term, comment_columns, False)) for term in analyzed.terms]
    scope = (must, _visible(index, visible))
    return [
        tantivy.Query.boolean_query([*own, (must, title), kind(EntryKind.VORHABEN), scope]),
        tantivy.Query.boolean_query([*own, kind(EntryKind.VORHABEN), scope]),
        tantivy.Query.boolean_query([*comments, kind(EntryKind.COMMENT), scope]),
    ]


def timed(function: Callable[[], object], rounds: int) -> list[float]:
    function()  # warm
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def throughput(function: Callable[[int], object], threads: int, seconds: float) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def run(slot: int) -> None:
        position = slot
        while time.perf_counter() < stop:
            function(position)
            position += threads
            done[slot] += 1

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - started)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--rounds", type=int, default=3)
    own.add_argument("--threads", type=int, default=4)
    own.add_argument("--seconds", type=float, default=15)
    own.add_argument("--keep", help="build the tantivy index here and keep it (reused if there)")
    known, rest = own.parse_known_args(argv)
    args = exchange.parse_args(["--skip-seed", *rest])
    for name, value in vars(known).items():
        setattr(args, name, value)
    return args


def _tokens_of(sqlite: bool) -> Select[Any]:
    """The entries `:ids` with their Vorhaben and token columns (packed on SQLite, as the
    product reads them)."""
    columns = [getattr(SearchEntry, name) for name in COLUMNS]
    statement = select(SearchEntry.id, SearchEntry.vorhaben_id, *columns)
    statement = statement.where(one_of_ids(SearchEntry.id, "ids", sqlite=sqlite))
    return search_query._packed(statement) if sqlite else statement


class Ways:
    """The three ways to answer a query compared here, for one member."""

    def __init__(self, index: Any, engine: Engine, account_id: int) -> None:
        visible = restricted_visible(engine, account_id)
        self.queries = [(q, DEFAULT_ANALYZER.analyze_query(q)) for q in TERMS + PAIRS]
        for q, analyzed in self.queries:  # what the tantivy queries here mirror: terms only
            if analyzed.is_empty or analyzed.phrases or analyzed.has_exclusions:
                raise SystemExit(f"{q!r}: only plain terms are mirrored (no phrases, no -wort)")
        self.ranked = {q: engine_query(index, analyzed, visible) for q, analyzed in self.queries}
        self.tiers = {q: tier_queries(index, analyzed, visible) for q, analyzed in self.queries}
        self.searcher = index.searcher()
        self.factory = make_session_factory(engine)
        self.account_id = account_id

    def engine(self, position: int) -> object:
        """tantivy ranks: the top 20 and the count."""
        q, _analyzed = self.queries[position % len(self.queries)]
        return self.searcher.search(self.ranked[q], limit=20, count=True)

    def candidate_ids(self, q: str) -> list[int]:
        """The tiers' candidates from tantivy: CANDIDATES places, newest first in each."""
        chosen: dict[int, None] = {}
        for tier, query in enumerate(self.tiers[q]):
            room = search_query.CANDIDATES - len(chosen)
            if room <= 0:
                break
            overlap = len(chosen) if tier == 1 else 0
            found = self.searcher.search(
                query, limit=room + overlap, count=False, order_by_field="id"
            )
            for entry_id, _address in found.hits:  # ordered by id: the key is the id
                if len(chosen) < search_query.CANDIDATES:
                    chosen.setdefault(entry_id)
        return list(chosen)

    def product_ids(self, analyzed: Query) -> list[int]:
        """The candidates the product's own lookups choose (app.search.query._candidates)."""
        with self.factory() as db:
            read_only(db)
            reader = db.get(Account, self.account_id)
            assert reader is not None
            chosen, _saturated = search_query._candidates(db, reader, analyzed, VorhabenFilter())
        return list(chosen)

    def candidates(self, position: int) -> object:
        """tantivy finds the tiers' candidates and counts the own-text tier; the product's
        ranking scores them from their tokens, read from the database, a Vorhaben by its
        best entry; the first page's cards are loaded as the product loads them."""
        q, analyzed = self.queries[position % len(self.queries)]
        ids = self.candidate_ids(q)
        total = self.searcher.search(self.tiers[q][1], limit=1, count=True).count
        with self.factory() as db:
            read_only(db)
            sqlite = is_sqlite(db.connection())
            found = db.connection().execute(
                _tokens_of(sqlite), {"ids": ids_value(ids, sqlite=sqlite)}
            )
            scorer = Scorer(analyzed)
            best: dict[int, float] = {}
            for _entry_id, vorhaben_id, *tokens in search_query._rows(found, sqlite):
                best[vorhaben_id] = max(best.get(vorhaben_id, 0.0), scorer.score(tokens))
            shown = sorted(best, key=lambda vorhaben: (-best[vorhaben], -vorhaben))[:20]
            where = select(Vorhaben).where(Vorhaben.id.in_(shown))
            return total, load_cards(db, where, description=True)

    def product(self, position: int) -> object:
        """The product's search, as a request calls it."""
        q, _analyzed = self.queries[position % len(self.queries)]
        with self.factory() as db:
            read_only(db)
            reader = db.get(Account, self.account_id)
            assert reader is not None
            return search_query.search(db, reader, q, VorhabenFilter())


def measure(ways: Ways, args: argparse.Namespace) -> None:
    calls: dict[str, Callable[[int], object]] = {
        "engine": ways.engine,
        "candidates": ways.candidates,
        "product": ways.product,
    }
    out("")
    out(f"### {args.db}, {len(ways.queries)} queries × {args.rounds}, one member")
    out("")
    out(f"| | p50 ms | p95 ms | searches/s, {args.threads} threads |")
    out("|---|---:|---:|---:|")
    for name, call in calls.items():
        timings: list[float] = []
        for position in range(len(ways.queries)):
            timings += timed(partial(call, position), args.rounds)
        per_second = throughput(call, args.threads, args.seconds)
        out(
            f"| {name} | {statistics.median(timings):.1f} | "
            f"{_percentile(timings, 0.95):.1f} | {per_second:,.1f} |"
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = exchange.prepare(args)
    engine = make_engine(url)
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="allmende_tv_"))
    try:
        source = directory / "allmende_source.txt"  # which database the index was built from
        if args.keep and source.exists() and source.read_text() == url:
            index = tantivy.Index.open(str(directory))
            out(f"tantivy {tantivy.__version__}: reused {directory}, {size_mb(directory):,.0f} MB")
        else:
            if directory.exists() and any(directory.iterdir()):
                if not (directory / "meta.json").exists():
                    raise SystemExit(f"{directory} holds something else than a tantivy index")
                shutil.rmtree(directory)
            directory.mkdir(parents=True, exist_ok=True)
            index, seconds, count = build(engine, directory)
            source.write_text(url)
            out(
                f"tantivy {tantivy.__version__}: {count:,} entries in {seconds:,.1f} s, "
                f"{size_mb(directory):,.0f} MB"
            )
        ways = Ways(index, engine, member_id(engine))
        same = sum(
            set(ways.candidate_ids(q)) == set(ways.product_ids(analyzed))
            for q, analyzed in ways.queries
        )
        out(f"candidates the same as the product's lookups: {same} of {len(ways.queries)} queries")
        measure(ways, args)
    finally:
        engine.dispose()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
