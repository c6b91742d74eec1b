"""German first, English second: gettext catalogues, locale negotiation, formatting.

Message ids are the German texts; `app/translations/en/LC_MESSAGES/messages.po` translates
them. Catalogues are compiled in memory at start, so the repository holds no binaries.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

# Dates and times are shown in Germany's wall-clock time (the same zone as core.clock.BERLIN;
# i18n is below core, which translates its messages with it, so it names the zone itself).
BERLIN = ZoneInfo("Europe/Berlin")

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def _translations(locale: str) -> NullTranslations:
    po_file = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po_file.is_file():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def get_locale() -> str:
    """The locale of the current request or job."""
    return _current.get()


def set_locale(locale: str) -> None:
    """Switch the current context to a supported locale (falls back to German)."""
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def using_locale(locale: str) -> Any:
    """Render something (a mail) in the receiver's locale, then switch back."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: Any) -> str:
    """Translate a German message id; %(name)s placeholders are filled from variables.

    An empty message stays empty (gettext would return the catalogue's header for it).
    """
    if not message:
        return message
    text = _translations(get_locale()).gettext(message)
    return text % variables if variables else text


def plural_form(singular: str, plural: str, n: int) -> str:
    """The translated singular or plural message for n, placeholders not yet filled."""
    return _translations(get_locale()).ngettext(singular, plural, n)


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Translate with plural forms; `num` is available as a placeholder."""
    return plural_form(singular, plural, n) % {"num": n, **variables}


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def negotiate(accept_language: str | None, cookie: str | None) -> str:
    """The locale for a request: an explicit choice, then the browser's wish, then German."""
    if cookie in LOCALES:
        return cookie
    if accept_language:
        wishes: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            piece = part.strip()
            if not piece:
                continue
            tag, _sep, params = piece.partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            wishes.append((quality, tag.strip().lower()[:2]))
        for _quality, tag in sorted(wishes, key=lambda wish: -wish[0]):
            if tag in LOCALES:
                return tag
    return DEFAULT_LOCALE


def format_when(value: dt.datetime | None) -> str:
    """A moment as the one date format plus hours and minutes, wall-clock time in
    Europe/Berlin (06.12.2026, 03:33)."""
    if value is None:
        return ""
    return _format_when(value, get_locale())


def format_day(value: dt.date | dt.datetime | None) -> str:
    """A day in the one date format (06.12.2026); a moment counts in Europe/Berlin."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(BERLIN).date()
    return _format_day(value, get_locale())


def format_clock(value: dt.datetime | None) -> str:
    """A moment's time of day alone (10:30), wall-clock time in Europe/Berlin: the end of
    something that began the same day."""
    if value is None:
        return ""
    moment = value.astimezone(BERLIN)
    locale = get_locale()
    time = _compiled(locale, "time")
    if time is None:
        return format_time(moment, format="short", tzinfo=BERLIN, locale=locale)
    return time(moment)


def format_instant(value: str | None) -> str:
    """The day of an RFC 3339 timestamp (as the export layer stores it) in Europe/Berlin;
    empty for anything that is not one."""
    try:
        moment = dt.datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_day(moment)


# A page shows dozens of moments, each formatted by Babel in ~0.1 ms (it interprets the
# CLDR pattern on every call). The patterns are compiled once per locale instead: Babel's
# own %-format of the pattern, filled with the few fields the two formats use; a locale
# whose pattern has any other field is left to Babel (tests compare both, field by field).
_FIELDS: dict[str, Callable[[Any, Locale], str]] = {  # a date, or a datetime for times
    "d": lambda moment, _locale: str(moment.day),
    "dd": lambda moment, _locale: f"{moment.day:02d}",
    "MM": lambda moment, _locale: f"{moment.month:02d}",
    "MMM": lambda moment, locale: locale.months["format"]["abbreviated"][moment.month],
    "y": lambda moment, _locale: str(moment.year),
    "yyyy": lambda moment, _locale: f"{moment.year:04d}",
    "H": lambda moment, _locale: str(moment.hour),
    "HH": lambda moment, _locale: f"{moment.hour:02d}",
    "h": lambda moment, _locale: str(moment.hour % 12 or 12),
    "mm": lambda moment, _locale: f"{moment.minute:02d}",
    "a": lambda moment, locale: locale.day_periods["format"]["abbreviated"][
        "am" if moment.hour < 12 else "pm"
    ],
}


@cache
def _compiled(locale: str, kind: str) -> Callable[[dt.date], str] | None:
    """The locale's medium date ("date") or short time ("time") format as a function of a
    datetime, or None when Babel has to do it."""
    data = Locale.parse(locale)
    pattern = data.date_formats["medium"] if kind == "date" else data.time_formats["short"]
    names = tuple(dict.fromkeys(re.findall(r"%\((\w+)\)s", pattern.format)))
    if not names or not set(names) <= _FIELDS.keys():
        return None
    fields = tuple((name, _FIELDS[name]) for name in names)
    template = pattern.format

    def apply(moment: dt.date) -> str:
        return str(template % {name: field(moment, data) for name, field in fields})

    return apply


def _format_when(value: dt.datetime, locale: str) -> str:
    moment = value.astimezone(BERLIN)
    date, time = _compiled(locale, "date"), _compiled(locale, "time")
    if date is None or time is None:
        day = format_date(moment.date(), format="medium", locale=locale)
        return f"{day}, {format_time(moment, format='short', tzinfo=BERLIN, locale=locale)}"
    return f"{date(moment)}, {time(moment)}"


def _format_day(value: dt.date, locale: str) -> str:
    date = _compiled(locale, "date")
    if date is None:
        return format_date(value, format="medium", locale=locale)
    return date(value)


def format_number(value: int | float | None) -> str:
    """A number with the locale's digit grouping (1.234.567 in German)."""
    if value is None:
        return ""
    return format_decimal(value, locale=get_locale())


def format_megabytes(size: int) -> str:
    """A size in bytes as MB for people (1,5 in German; one decimal below 10 MB)."""
    value = size / 1_000_000
    return format_number(round(value, 1) if value < 10 else round(value))


def language_name(locale: str) -> str:
    """The name of a locale in itself (Deutsch, English)."""
    return Locale.parse(locale).get_display_name(locale) or locale


# Two-letter territory codes of the CLDR that are not ISO 3166-1 countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


@cache
def _territories(locale: str) -> dict[str, str]:
    names = Locale.parse(locale).territories
    return {
        code: str(name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def territory_name(code: str) -> str:
    """A country's name (ISO 3166-1 alpha-2) in the current locale; the code if unknown."""
    return _territories(get_locale()).get(code.upper(), code)


def country_codes() -> list[tuple[str, str]]:
    """Every country as (code, name) in the current locale, ordered by name."""
    names = _territories(get_locale())
    return sorted(names.items(), key=lambda item: _sort_key(item[1]))


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
