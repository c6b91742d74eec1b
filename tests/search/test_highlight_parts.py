"""An excerpt read part by part (a hit's summary, then its description block by block) is
the excerpt of the whole text: the same window, the same marks, the same ellipses."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import markdown
from app.core.markdown import plain_text
from app.search import highlight, query

WORDS = st.sampled_from(
    ["Schule", "schulen", "Müll", "MUELL", "Straße", "strasse", "IT", "mit", "KI", "Kita", "a"]
)
FILLER = st.text(alphabet=st.sampled_from([*"abcöß .,-\n\t\u00a0\u0301"]), max_size=40)
PART = st.lists(st.one_of(WORDS, FILLER), max_size=12).map(" ".join)
TERMS = st.lists(st.sampled_from(["schule", "mull", "strasse", "it", "ki", "a", "ab"]), min_size=1)


@settings(max_examples=400, deadline=None)
@given(st.lists(PART, max_size=8), TERMS, st.integers(min_value=10, max_value=300))
def test_parts_give_the_excerpt_of_the_whole(
    parts: list[str], terms: list[str], width: int
) -> None:
    whole = highlight.excerpt(" ".join(parts).strip(), terms, width)
    assert highlight.excerpt_of(parts, terms, width) == whole


def test_the_parts_after_the_window_are_not_read() -> None:
    texts = ["Ein Vorhaben zur Schule.", "Zweiter Teil.", *["Füllwort"] * 200]
    read: list[str] = []

    def parts() -> Iterator[str]:
        for part in texts:
            read.append(part)
            yield part

    excerpt = highlight.excerpt_of(parts(), ["schule"], width=40)
    assert excerpt == "… zur <mark>Schule</mark>. Zweiter Teil. Füllwort …"
    assert excerpt == highlight.excerpt(" ".join(texts), ["schule"], width=40)
    assert len(read) < 10


DESCRIPTION = (
    "## Ausgangslage\n\nDie **Verwaltung** plant seit Jahren.\n\n- Punkt eins\n- Punkt zwei\n\n"
    + "\n\n".join(f"Absatz {n} über Haushalt und Personal." for n in range(30))
    + "\n\n## Schule\n\nDie *Schulen* im Kreis bekommen WLAN; das IT-Team hilft.\n\n"
    + "| Ort | Stand |\n|---|---|\n| Nord | fertig |\n\nZum Schluss: Müllabfuhr."
)


@pytest.mark.parametrize(
    ("summary", "terms"),
    [
        ("Digitale Schule im Landkreis", ["schule"]),  # in the summary
        ("Ein Vorhaben", ["schule"]),  # deep in the description
        ("Ein Vorhaben", ["it"]),  # a short term, whole words only
        ("Ein Vorhaben", ["mull"]),  # in the last block
        ("Ein Vorhaben", ["nirgends"]),  # nowhere: no excerpt
        ("", ["verwaltung", "punkt"]),
    ],
)
def test_a_hits_excerpt_is_that_of_its_whole_text(summary: str, terms: list[str]) -> None:
    expected = highlight.excerpt(f"{summary} {plain_text(DESCRIPTION)}".strip(), terms)
    assert query._excerpt(summary, DESCRIPTION, tuple(terms)) == expected
    assert highlight.excerpt_of(chain([summary], markdown.plain_parts(DESCRIPTION)), terms) == (
        expected
    )
