"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitizes."""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Iterator
from functools import cache, lru_cache

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
    """The words of a Markdown text without markup (for excerpts and feeds); with a limit,
    at most that many characters, cut at a word (only the blocks the cut needs are
    rendered: plain_parts)."""
    if limit is None:
        return _plain(source)
    words = ""
    for part in plain_parts(source):
        words = f"{words} {part}" if words else part
        if len(words) > limit:
            cut = words[: limit - 1].rsplit(" ", 1)[0]
            return cut + "…"
    return words


# A blank line before a line that starts a block of its own: not indented (an indented
# line after a blank one may continue a list item, and would render as code alone) and no
# list item (after a blank line it may continue the list before it, whose items render
# differently alone: an empty item, a delimiter row read as a table's).
_BLOCK_BREAK = re.compile(r"(?:\r\n?|\n)[ \t]*(?:\r\n?|\n)(?=[^ \t\r\n])(?![-+*]|[0-9]{1,9}[.)])")
# What ties blocks together across a blank line: fenced code (which may hold blank lines)
# and link reference definitions (used anywhere in the text).
_TIED = re.compile(r"```|~~~|\]:")


def plain_parts(source: str) -> Iterator[str]:
    """plain_text(source) in parts: joined with single spaces they are plain_text(source),
    word for word. Each top-level block between blank lines is rendered on its own, when
    it is pulled: a reader that needs only the beginning of a long text (an excerpt around
    the first match, a shortened notification) renders only that. A text whose blocks
    depend on each other is one part."""
    if _TIED.search(source):
        words = _plain(source)
        if words:
            yield words
        return
    for block in _BLOCK_BREAK.split(source):
        words = _plain_block(block)
        if words:
            yield words


def _plain(source: str) -> str:
    text = nh3.clean(_parser().render(source), tags=set())
    return " ".join(html_module.unescape(text).split())


# A block's words, remembered: the hits of common search words come back in search after
# search (a changed text is another key, so nothing stale is shown).
_plain_block = lru_cache(maxsize=2048)(_plain)
