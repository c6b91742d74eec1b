"""Compare German compound splitters on hand-labelled words from our own content.

    .venv/bin/python bench/compounds.py            # the splitters this interpreter has

Runs every candidate that imports in this interpreter: our lexicon (app/search/lexicon.py),
a vocabulary taken from our own content (the demo content and the seed vocabulary), and,
where installed, `compound-split` (CharSplit), `charsplit-fst` (CharSplit in Rust; needs
Python 3.12) and `german-nouns` (Wiktionary nouns). Prints one Markdown table per word set
(bench/compound_gold.py): words split exactly right, precision and recall of the parts,
derived words wrongly split, and microseconds per word after loading.
"""

from __future__ import annotations

import importlib.util
import json
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.search import compounds  # noqa: E402
from app.search import lexicon as shipped  # noqa: E402
from app.search.compounds import Lexicon  # noqa: E402
from app.search.stemming import canonical, stem  # noqa: E402
from bench.compound_gold import CORPUS, HELD_OUT  # noqa: E402

Splitter = Callable[[str], tuple[str, ...]]
_LINKS = ("s", "es", "n", "en", "e")


def corpus_words() -> set[str]:
    """Every word of four or more letters in the demo content and the seed vocabulary."""
    texts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads((ROOT / "app/demo_data/content.json").read_text(encoding="utf-8")))
    texts.extend(path.read_text(encoding="utf-8") for path in (ROOT / "app/seed").glob("*.py"))
    found = {word.lower() for text in texts for word in re.findall(r"[^\W\d_]{4,}", text)}
    return found - shipped.STOPWORDS


def cold(lexicon: Lexicon) -> Splitter:
    """Splitting with every cache emptied first, as for a word the analyzer never saw."""

    def split(word: str) -> tuple[str, ...]:
        compounds._split.cache_clear()
        stem.cache_clear()
        return lexicon.split(word)

    return split


def lexicon_splitter() -> tuple[Splitter, Splitter]:
    lexicon = Lexicon.of(shipped.WORDS, shipped.KEEP_WHOLE)
    return lexicon.split, cold(lexicon)


def vocabulary_splitter(extra: Iterable[str] = ()) -> tuple[Splitter, Splitter]:
    """Splitting into words of our own content, leaving out the word itself and its
    inflections (else every word of the content would be "known" whole). Timed with the
    whole vocabulary, as an index would use it."""
    vocabulary = corpus_words() | set(extra)

    def split(word: str) -> tuple[str, ...]:
        own = stem(canonical(word))
        known = {other for other in vocabulary if stem(canonical(other)) != own}
        return Lexicon.of(known, shipped.KEEP_WHOLE).split(word)

    return split, cold(Lexicon.of(vocabulary, shipped.KEEP_WHOLE))


def charsplit_splitter(
    split_compound: Callable[[str], list[tuple[float, str, str]]], *, again: bool = True
) -> Splitter:
    """CharSplit's best binary split when its score is positive, applied again to both
    halves, as its authors suggest for compounds of more than two parts."""

    def split(word: str) -> tuple[str, ...]:
        if len(word) < 6:
            return ()
        score, first, second = split_compound(word)[0]
        if score <= 0:
            return ()
        if not again:
            return (first, second)
        return (*(split(first) or (first,)), *(split(second) or (second,)))

    return split


def _charsplit() -> tuple[Splitter, Splitter]:
    from compound_split import char_split  # type: ignore[import-not-found,import-untyped,unused-ignore]

    split = charsplit_splitter(char_split.split_compound)
    return split, split


def _charsplit_once() -> tuple[Splitter, Splitter]:
    from compound_split import char_split  # type: ignore[import-not-found,import-untyped,unused-ignore]

    split = charsplit_splitter(char_split.split_compound, again=False)
    return split, split


def _charsplit_fst() -> tuple[Splitter, Splitter]:
    from charsplit_fst import Splitter as FstSplitter  # type: ignore[import-not-found,import-untyped,unused-ignore]

    split = charsplit_splitter(FstSplitter().split_compound)
    return split, split


def _german_nouns() -> tuple[Splitter, Splitter]:
    from german_nouns.lookup import Nouns  # type: ignore[import-not-found,import-untyped,unused-ignore]

    nouns = Nouns()

    def split(word: str) -> tuple[str, ...]:
        parts = tuple(nouns.parse_compound(word))
        return parts if len(parts) >= 2 else ()

    return split, split


CANDIDATES: dict[str, tuple[str | None, Callable[[], tuple[Splitter, Splitter]]]] = {
    "lexicon (shipped list)": (None, lexicon_splitter),
    "vocabulary of our content": (None, vocabulary_splitter),
    "lexicon + vocabulary": (None, lambda: vocabulary_splitter(shipped.WORDS)),
    "compound-split (CharSplit)": ("compound_split", _charsplit),
    "compound-split, one cut only": ("compound_split", _charsplit_once),
    "charsplit-fst": ("charsplit_fst", _charsplit_fst),
    "german-nouns": ("german_nouns", _german_nouns),
}


def candidates() -> dict[str, tuple[Splitter, Splitter]]:
    """The candidates this interpreter has, with the time and memory loading each took."""
    found: dict[str, tuple[Splitter, Splitter]] = {}
    for name, (module, factory) in CANDIDATES.items():
        if module is not None and importlib.util.find_spec(module) is None:
            continue
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        found[name] = factory()
        found[name][0]("Beteiligungsplattform")  # some load their data on first use
        seconds = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024
        print(f"- {name}: loaded in {seconds:.2f} s, peak memory +{grown} MB")
    return found


def _same(predicted: str, gold: str) -> bool:
    """A part is right when it stems like the labelled one, linking letters aside."""
    target = stem(canonical(gold))
    text = canonical(predicted)
    forms = [text, *(text[: -len(link)] for link in _LINKS if text.endswith(link))]
    return any(stem(form) == target for form in forms if len(form) >= 2)


def score(split: Splitter, timed: Splitter, gold: dict[str, tuple[str, ...]]) -> dict[str, float]:
    exact = right = predicted = wanted = wrong_splits = whole = 0
    timings: list[float] = []
    for word, parts in gold.items():
        started = time.perf_counter()
        timed(word)
        timings.append(time.perf_counter() - started)
        found = split(word)
        if not parts:
            whole += 1
            wrong_splits += bool(found)
            continue
        predicted += len(found)
        wanted += len(parts)
        hits = sum(any(_same(part, label) for label in parts) for part in found)
        right += hits
        exact += len(found) == len(parts) and all(map(_same, found, parts))
    compounds = len(gold) - whole
    return {
        "exact": exact / compounds,
        "precision": right / predicted if predicted else 0.0,
        "recall": sum(
            any(_same(part, label) for part in split(word))
            for word, labels in gold.items()
            for label in labels
        )
        / wanted,
        "false_splits": wrong_splits / whole if whole else 0.0,
        "us_per_word": statistics.median(timings) * 1e6,
    }


def main() -> None:
    print(f"Python {sys.version.split()[0]}\n")
    splitters = candidates()
    for name, gold in (("corpus", CORPUS), ("held out", HELD_OUT)):
        compounds_count = sum(1 for parts in gold.values() if parts)
        print(
            f"\n{name}: {compounds_count} compounds, {len(gold) - compounds_count} to keep whole\n"
        )
        print("| splitter | exact | part precision | part recall | false splits | µs/word |")
        print("|---|---|---|---|---|---|")
        for label, (split, timed) in splitters.items():
            result = score(split, timed, gold)
            print(
                f"| {label} | {result['exact']:.0%} | {result['precision']:.0%} | "
                f"{result['recall']:.0%} | {result['false_splits']:.0%} | "
                f"{result['us_per_word']:.0f} |"
            )


if __name__ == "__main__":
    main()
