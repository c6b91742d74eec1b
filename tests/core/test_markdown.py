from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import markdown
from app.core.markdown import plain_parts, plain_text, render


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[klick](javascript:alert(1))",
        "[bild](data:text/html;base64,PHNjcmlwdD4=)",
        '<img src=x onerror="alert(1)">',
        "<a href='https://x' onclick='alert(1)'>x</a>",
        "![x](javascript:alert(1))",
    ],
)
def test_dangerous_markup_never_survives(source: str) -> None:
    html = render(source).lower()
    assert "<script" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html), "no event handler attributes"
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data):", html)
    assert "<img" not in html


def test_links_get_nofollow_noopener() -> None:
    html = render("[Open CoDE](https://opencode.de/)")
    assert 'href="https://opencode.de/"' in html
    assert 'rel="nofollow noopener"' in html


def test_common_markdown_renders() -> None:
    html = render("## Ziel\n\n- **fett**\n- `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Ziel</h2>" in html and "<strong>fett</strong>" in html and "<table>" in html


def test_plain_text_shortens_on_a_word() -> None:
    assert plain_text("**Ein** langer Satz mit vielen Wörtern", 15) == "Ein langer…"


# Pieces of Markdown that change meaning with what stands before or after them: list
# markers, indentation, delimiter rows, setext underlines, fences, references, entities.
_PIECES = [
    "Schule",
    "**fett**",
    "*kursiv*",
    "_x_",
    "`code`",
    "[Link](https://a.de)",
    "<https://b.de>",
    "&amp;",
    "&uuml;",
    "\\*",
    "Müll",
    "a*b",
    "~~weg~~",
    "![Bild](x.png)",
    "<b>",
    "<!-- c -->",
    "***",
    "#",
    "|",
    "1.",
    "2)",
    "-",
    "+",
    ">",
    "=",
    "---",
    "[ref][r]",
    "[r]: /ziel",
    "```",
    "~~~",
    "\u00a0",
    "\x00",
]
_BREAKS = [
    " ",
    "\n",
    "\n\n",
    "\n\n\n",
    "\n  \n",
    "\n\t\n",
    "\r\n\r\n",
    "\n\n    ",
    "\n\n  ",
    "\n\n- ",
    "\n\n1. ",
    "\n\n> ",
    "\n\n# ",
    "\n---\n",
    "\n=\n",
    "\n\n| a | b |\n|---|---|\n| ",
]
MARKDOWN = st.lists(st.sampled_from(_PIECES + _BREAKS), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(MARKDOWN)
def test_the_parts_are_the_plain_text_word_for_word(source: str) -> None:
    assert " ".join(plain_parts(source)) == plain_text(source)


@settings(max_examples=200, deadline=None)
@given(MARKDOWN, st.integers(min_value=2, max_value=120))
def test_a_shortened_plain_text_is_the_whole_one_cut(source: str, limit: int) -> None:
    words = plain_text(source)
    expected = words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0] + "…"
    assert plain_text(source, limit) == expected


def test_only_the_blocks_read_are_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """An excerpt of the beginning of a long text renders its first block, not the rest."""
    rendered: list[str] = []
    parser = markdown._parser()
    original = parser.render

    def render(source: str, env: MutableMapping[str, Any] | None = None) -> str:
        rendered.append(source)
        return str(original(source, env))

    monkeypatch.setattr(parser, "render", render)
    source = "## Anfang\n\nErster Absatz.\n\n" + "\n\n".join(f"Absatz {n}." for n in range(50))
    parts = plain_parts(source)
    assert next(parts) == "Anfang"
    assert next(parts) == "Erster Absatz."
    assert not any("Absatz 49" in text for text in rendered)
    assert plain_text(source, 20) == "Anfang Erster…"
    assert not any("Absatz 49" in text for text in rendered)


@pytest.mark.parametrize(
    "source",
    [
        # Found by fuzzing a first version that split before list items too.
        "1.  \n\n1. >|\n---\n",
        "-  _x_ \n\n-  **fett** | \n---\n",
        "- a\n\n  weiter\n\n- b",
        "Text mit [Verweis][r].\n\nMehr.\n\n[r]: https://example.org",
        "```\nCode\n\n_kein_ Absatz\n```\n\nDanach.",
    ],
)
def test_blocks_that_depend_on_each_other_stay_together(source: str) -> None:
    assert " ".join(plain_parts(source)) == plain_text(source)
