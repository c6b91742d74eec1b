"""Hostile text and the check that it reached a page only as text (PRODUCT.md invariant 7).

`hostile(name)` is text someone could type into a field: a tag, an attribute break-out with
double and with single quotes that would make htmx post without a click, a closed textarea,
a Jinja expression. Every piece carries `name`, so a finding says which field it came from.
`findings(html)` lists every element, attribute or evaluated expression that came from such
text; `shown(html, name)` says whether the text reached the page at all (as text), so a
check cannot pass because the field was simply not rendered.
"""

from __future__ import annotations

from html.parser import HTMLParser

# The route an attacker would aim at: granting roles (see the reproduction).
EVIL_PATH = "/moderation/members/1/role"
# 6006*7: a template that evaluated the text would print this.
EVALUATED = "42042"


def hostile(name: str) -> str:
    """Text for field `name` that is markup wherever it is not escaped."""
    return (
        f'{name} <b data-hostile="{name}">b</b>'
        f' " hx-post="{EVIL_PATH}" hx-trigger="load" data-hostile="{name}-dq" x="'
        f" ' hx-post='{EVIL_PATH}' data-hostile='{name}-sq' x='"
        f' </textarea></title><i data-hostile="{name}-close">i</i>'
        " {{ 6006*7 }}"
    )


def hostile_line(name: str, limit: int) -> str:
    """hostile(name) cut to a field's length limit, keeping the most dangerous part first."""
    text = (
        f'" hx-post="{EVIL_PATH}" hx-trigger="load" data-hostile="{name}" x=" '
        f'<b data-hostile="{name}-tag">{name}</b> {{{{ 6006*7 }}}}'
    )
    return text[:limit]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


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
            if attribute == "data-hostile" or (
                attribute.startswith("hx-") and EVIL_PATH in (value or "")
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
