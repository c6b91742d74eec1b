"""The English catalogue: complete, placeholder-safe, in sync with the sources, and used.

Message ids are the German texts. A German string added to the code or a template without
`make messages` and an English translation fails `test_catalogue_covers_every_source_string`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import format_day, format_when, gettext, ngettext, using_locale
from app.web.templating import environment

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
# The same keywords as the Makefile's `messages` target (added to babel's defaults there too).
KEYWORDS = ["_", "gettext", "N_", "ngettext:1,2"]
PLACEHOLDER = re.compile(r"%\([^)]+\)[a-z]|\{[^{}]*\}")

MessageId = str | tuple[str, ...]


@cache
def _catalog() -> Catalog:
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="en")


def _entries() -> list[Message]:
    return [message for message in _catalog() if message.id]


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """The singular (and plural) forms of a msgid or msgstr; a missing msgstr is one empty form."""
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def _key(message: Message) -> MessageId:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _extracted_ids() -> dict[MessageId, str]:
    """Every message id the sources mark for translation, with one place it occurs."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(KEYWORDS)}
    found: dict[MessageId, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        key: MessageId = message if isinstance(message, str) else tuple(message)
        if key:
            found.setdefault(key, f"{filename}:{lineno}")
    return found


def test_every_message_is_translated() -> None:
    untranslated = [_key(message) for message in _entries() if not all(_forms(message.string))]
    assert len(_entries()) > 500
    assert untranslated == []


def _outer_whitespace(text: str) -> tuple[bool, bool]:
    return text[:1].isspace(), text[-1:].isspace()


def test_translations_keep_placeholders_and_outer_whitespace() -> None:
    broken: list[tuple[MessageId, str]] = []
    for message in _entries():
        ids = _forms(message.id)
        # A plural entry pairs msgid with msgstr[0] and msgid_plural with every further form.
        for index, text in enumerate(_forms(message.string)):
            source = ids[min(index, len(ids) - 1)]
            same_placeholders = _placeholders(text) == _placeholders(source)
            same_whitespace = not text or _outer_whitespace(text) == _outer_whitespace(source)
            if not (same_placeholders and same_whitespace):
                broken.append((_key(message), text))
    assert broken == []


def test_catalogue_covers_every_source_string() -> None:
    in_catalogue = {_key(message) for message in _entries()}
    extracted = _extracted_ids()
    assert len(extracted) > 500
    missing = {key: where for key, where in extracted.items() if key not in in_catalogue}
    assert missing == {}, "run `make messages` and translate the new entries"


def test_gettext_follows_the_locale() -> None:
    with using_locale("en"):
        assert gettext("Abmelden") == "Sign out"
        assert gettext("Willkommen, %(name)s", name="Ada") == "Welcome, Ada"
        assert ngettext("%(num)s Kommune", "%(num)s Kommunen", 1) == "1 municipality"
        assert ngettext("%(num)s Kommune", "%(num)s Kommunen", 3) == "3 municipalities"
    with using_locale("de"):
        assert gettext("Abmelden") == "Abmelden"
        assert gettext("Willkommen, %(name)s", name="Ada") == "Willkommen, Ada"
        assert ngettext("%(num)s Kommune", "%(num)s Kommunen", 3) == "3 Kommunen"


def test_templates_translate_and_escape_the_variables() -> None:
    template = environment.from_string('{{ _("Zurück zu „%(title)s“", title=title) }}')
    with using_locale("en"):
        assert template.render(title="<b>A & B</b>") == "Back to “&lt;b&gt;A &amp; B&lt;/b&gt;”"
    with using_locale("de"):
        assert template.render(title="Plan") == "Zurück zu „Plan“"
        plain = environment.from_string(
            '{% autoescape false %}{{ _("Abmelden") }}{% endautoescape %}'
        )
        assert plain.render() == "Abmelden"


def test_dates_are_formatted_in_the_current_locale_also_when_remembered() -> None:
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # already 2 March in Berlin
    for _round in range(2):  # the second answer comes from the cache
        with using_locale("de"):
            assert format_day(moment) == "02.03.2026"
            assert format_when(moment, "short") == "02.03.26, 00:30"
        with using_locale("en"):
            assert format_day(moment) == "Mar 2, 2026"
