from __future__ import annotations

import re

import pytest

from app.core.markdown import plain_text, render


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
