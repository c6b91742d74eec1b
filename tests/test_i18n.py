"""The English catalogue: complete, placeholder-safe, in sync with the sources, and used.

Message ids are the German texts. A German string added to the code or a template without
`make messages` and an English translation fails `test_catalogue_covers_every_source_string`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

from babel import dates as babel_dates
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import (
    BERLIN,
    LOCALES,
    format_day,
    format_instant,
    format_when,
    gettext,
    ngettext,
    using_locale,
)
from app.web.templating import TEMPLATES_DIR, environment

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
            assert format_when(moment) == "02.03.2026, 00:30"
        with using_locale("en"):
            assert format_day(moment) == "Mar 2, 2026"


def test_one_date_format_everywhere_in_local_time() -> None:
    """Members saw 12.10.2025, 03.12.25, 03:33 and 06.12.2026, 00:33:54 side by side: a day
    is dd.mm.yyyy, a moment adds hh:mm (no seconds), both in Europe/Berlin."""
    summer = dt.datetime(2026, 7, 31, 22, 5, 59, tzinfo=dt.UTC)  # 1 August, 00:05 in Berlin
    with using_locale("de"):
        assert format_day(summer) == "01.08.2026"
        assert format_when(summer) == "01.08.2026, 00:05"
        assert format_day(dt.date(2026, 8, 1)) == "01.08.2026"
        assert format_instant("2026-07-31T22:05:59Z") == "01.08.2026"
        assert format_instant("kein Datum") == ""
    with using_locale("en"):
        assert format_when(summer) == "Aug 1, 2026, 12:05\u202fAM"


def test_the_compiled_date_formats_say_what_babel_says() -> None:
    """format_day and format_when fill the CLDR patterns themselves (Babel interprets them
    on every call): the same text for every month, day, hour and minute, in each locale."""
    moments = [
        dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
        for year in (2025, 2026)
        for month in range(1, 13)
        for day in (1, 9, 10, 28)
        for hour in range(24)
        for minute in (0, 5, 59)
    ]
    for locale in LOCALES:
        with using_locale(locale):
            for moment in moments:
                local = moment.astimezone(BERLIN)
                day = babel_dates.format_date(local.date(), format="medium", locale=locale)
                time = babel_dates.format_time(local, format="short", tzinfo=BERLIN, locale=locale)
                assert format_day(moment) == day
                assert format_day(local.date()) == day
                assert format_when(moment) == f"{day}, {time}"


def test_templates_ask_for_no_other_date_format() -> None:
    """The filters take no format argument any more; a template asking for one (or cutting
    an ISO string) would bring back a second format."""
    offenders = []
    for path in sorted(TEMPLATES_DIR.rglob("*.html")) + sorted(TEMPLATES_DIR.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\|\s*(when|day)\s*\(|\[:10\]|\[:16\]|strftime", text):
            offenders.append(str(path.relative_to(TEMPLATES_DIR)))
    assert offenders == []
