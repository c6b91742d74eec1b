"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitizes."""

from __future__ import annotations

import html as html_module
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render(source: str) -> str:
    """Render Markdown and sanitize the result: no scripts, handlers or foreign schemes."""
    html = _parser().render(source)
    return sanitize(html)


def render_markup(source: str) -> Markup:
    """render() marked safe for a template: the sanitizer's output is the one HTML made
    from text that templates may insert as it is."""
    return Markup(render(source))  # noqa: S704 - nh3 output


def sanitize(html: str) -> str:
    """Keep only harmless tags; links get rel="nofollow noopener"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def links_after(source: str, marker: str) -> list[str]:
    """The targets of the links written right after `marker` in running text (as in
    `@[Name](/path)`), in order; links in code spans and code blocks are text, not links,
    and do not count."""
    targets: list[str] = []
    for block in _parser().parse(source):
        previous = None
        for token in block.children or ():
            if (
                token.type == "link_open"
                and previous is not None
                and previous.type == "text"
                and previous.content.endswith(marker)
            ):
                targets.append(str(token.attrs.get("href", "")))
            previous = token
    return targets


def plain_text(source: str, limit: int | None = None) -> str:
    """The words of a Markdown text without markup (for excerpts and feeds)."""
    text = nh3.clean(_parser().render(source), tags=set())

    words = " ".join(html_module.unescape(text).split())
    if limit is not None and len(words) > limit:
        cut = words[: limit - 1].rsplit(" ", 1)[0]
        return cut + "…"
    return words
