"""Hostile text and the check that it reached a page only as text (PRODUCT.md invariant 7).

`hostile(name)` is text someone could type into a field: a tag, an attribute break-out with
double and with single quotes that would make htmx post without a click, a closed textarea,
a Jinja expression. Every piece carries `name`, so a finding says which field it came from.
`findings(html)` lists every element, attribute or evaluated expression that came from such
text; `shown(html, name)` says whether the text reached the page at all (as text), so a
check cannot pass because the field was simply not rendered.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

# Where an attacker's htmx attribute would post (see the reproduction).
EVIL_PATH = "/evil"
# 6006*7: a template that evaluated the text would print this.
EVALUATED = "42042"


def hostile(name: str, limit: int = 200) -> str:
    """Text for field `name` (at most `limit` characters, whole pieces, the tag first) that
    is markup wherever it is not escaped."""
    pieces = (
        f'<b data-hostile="{name}">b</b>',
        f'" hx-post="{EVIL_PATH}" hx-trigger="load" data-hostile="{name}-dq" x="',
        f"' data-hostile='{name}-sq' x='",
        f'</textarea><i data-hostile="{name}-c">i</i>',
        "{{6006*7}}",
    )
    text = name
    for piece in pieces:
        if len(text) + 1 + len(piece) <= limit:
            text = f"{text} {piece}"
    return text


VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
Attributes = list[tuple[str, str | None]]


class _Elements(HTMLParser):
    """Every start tag with its attributes, every text node with the elements around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, Attributes]] = []
        self.text: list[str] = []
        self.open: list[tuple[str, Attributes]] = []
        self.texts_in: list[tuple[str, tuple[tuple[str, Attributes], ...]]] = []

    def handle_starttag(self, tag: str, attrs: Attributes) -> None:
        self.tags.append((tag, attrs))
        if tag not in VOID:
            self.open.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: Attributes) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.texts_in.append((data, tuple(self.open)))


def _parse(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def findings(html: str) -> list[str]:
    """Every trace of hostile text that became markup or was evaluated."""
    parser = _parse(html)
    found = []
    for tag, attrs in parser.tags:
        for attribute, value in attrs:
            # An attribute the text brought (a value it only sits in is escaped text).
            if attribute == "data-hostile" or (
                attribute.startswith("hx-") and (value or "").startswith(EVIL_PATH)
            ):
                found.append(f"<{tag} {attribute}={value!r}>")
    if EVALUATED in html:
        found.append(f"evaluated expression {EVALUATED}")
    return found


def text_of(html: str) -> str:
    """What a reader sees (text nodes, entities decoded), plus attribute values."""
    parser = _parse(html)
    values = [value or "" for _tag, attrs in parser.tags for _name, value in attrs]
    return " ".join(parser.text + values)


def shown(html: str, name: str) -> bool:
    """Whether hostile text for `name` reached the page as text."""
    return f'data-hostile="{name}' in text_of(html)


def names_shown(text: str, names: tuple[str, ...]) -> set[str]:
    """Which of the hostile texts `names` a decoded text contains."""
    return {name for name in names if f'data-hostile="{name}' in text}


def unguarded_prose(html: str) -> list[str]:
    """Hostile text inside a `prose` element (where Markdown output goes) that no element
    around it marks hx-disable."""
    found = []
    for data, around in _parse(html).texts_in:
        if "data-hostile" not in data:
            continue
        classes = [(dict(attrs).get("class") or "").split() for _tag, attrs in around]
        if any("prose" in names for names in classes) and not any(
            "hx-disable" in dict(attrs) for _tag, attrs in around
        ):
            found.append(data[:60])
    return found


def htmx_config(html: str) -> dict[str, object] | None:
    """The page's <meta name="htmx-config">, parsed (None if it has none)."""

    for tag, attrs in _parse(html).tags:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "htmx-config":
            loaded = json.loads(values.get("content") or "{}")
            return loaded if isinstance(loaded, dict) else None
    return None
