"""The date form: what was typed (kept on error) and its check into a clean date.

Dates and times are typed as Berlin wall-clock time (the browser's date and time fields send
ISO values; without JavaScript anyone may type anything, so every value is parsed here and
a wrong one is a message, never a 500). A date without a time of day is a whole-day date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.clock import BERLIN
from app.core.errors import ValidationFailed
from app.core.fields import check_text
from app.core.text import clean_line, forbidden_character, too_long
from app.core.urls import http_parts
from app.dates.models import KIND_LABELS, Kind, Termin
from app.i18n import gettext as _

TITLE_MAX = 200
PLACE_MAX = 300
LINK_MAX = 500
NOTE_MAX = 2000


@dataclass
class TerminForm:
    """The fields as typed, all text (what the form shows again after an error)."""

    kind: str = Kind.MEETING.value
    title: str = ""
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""
    place: str = ""
    link: str = ""
    note: str = ""


@dataclass(frozen=True)
class CleanTermin:
    kind: Kind
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    all_day: bool
    place: str
    link: str | None
    note: str


def _day(errors: dict[str, str], name: str, value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Bitte ein gültiges Datum wie 2027-03-31 angeben.")
        return None
    if not 2000 <= day.year <= 2100:
        errors[name] = _("Bitte ein Datum zwischen 2000 und 2100 angeben.")
        return None
    return day


def _time(errors: dict[str, str], name: str, value: str) -> dt.time | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) not in (5, 8):  # HH:MM or HH:MM:SS, as browsers send them
            raise ValueError(value)
        moment = dt.time.fromisoformat(value)
    except ValueError:
        errors[name] = _("Bitte eine Uhrzeit wie 14:30 angeben.")
        return None
    return moment.replace(second=0, microsecond=0)


def _utc(day: dt.date, moment: dt.time | None) -> dt.datetime:
    """Berlin wall-clock time as a UTC timestamp (a whole day: its midnight)."""
    local = dt.datetime.combine(day, moment or dt.time(0), tzinfo=BERLIN)
    return local.astimezone(dt.UTC)


def link_field(errors: dict[str, str], value: str) -> str | None:
    """An optional http(s) address (a video call or the event's page)."""
    value = value.strip()
    if not value:
        return None
    if len(value) > LINK_MAX:
        errors["link"] = too_long(LINK_MAX, len(value))
    elif (
        http_parts(value) is None
        or forbidden_character(value)
        or any(char.isspace() for char in value)
    ):
        errors["link"] = _("Bitte eine vollständige Adresse mit https:// angeben.")
    return value


def clean(form: TerminForm) -> CleanTermin:
    """The checked date, or ValidationFailed naming every wrong field."""
    errors: dict[str, str] = {}
    try:
        kind = Kind(form.kind)
    except ValueError:
        kind = Kind.OTHER
        errors["kind"] = _("Bitte wählen Sie eine Art des Termins.")
    title = check_text(
        errors,
        "title",
        form.title,
        limit=TITLE_MAX,
        required=True,
        missing=_("Bitte geben Sie dem Termin einen Titel."),
    )
    if "title" not in errors:
        title = clean_line(title)
    place = check_text(errors, "place", form.place, limit=PLACE_MAX)
    if "place" not in errors:
        place = clean_line(place)
    note = check_text(errors, "note", form.note, limit=NOTE_MAX)
    link = link_field(errors, form.link)

    start_day = _day(errors, "start_date", form.start_date)
    if start_day is None and "start_date" not in errors:
        errors["start_date"] = _("Bitte geben Sie an, wann der Termin beginnt.")
    start_time = _time(errors, "start_time", form.start_time)
    end_day = _day(errors, "end_date", form.end_date)
    end_time = _time(errors, "end_time", form.end_time)
    all_day = not form.start_time.strip()
    if all_day and form.end_time.strip() and "end_time" not in errors:
        errors["end_time"] = _("Eine Endzeit braucht eine Anfangszeit.")

    starts_at = ends_at = None
    if start_day is not None and "start_time" not in errors:
        starts_at = _utc(start_day, start_time)
        if (end_day or end_time) and "end_date" not in errors and "end_time" not in errors:
            ends_at = _utc(end_day or start_day, None if all_day else end_time)
            if ends_at < starts_at or (not all_day and ends_at == starts_at):
                field = "end_time" if end_day in (None, start_day) and end_time else "end_date"
                errors[field] = _("Das Ende liegt vor dem Anfang.")
    if errors or starts_at is None:
        raise ValidationFailed(errors)
    return CleanTermin(kind, title, starts_at, ends_at, all_day, place, link, note)


def of(termin: Termin) -> TerminForm:
    """The form filled from a stored date (for editing)."""
    start = termin.starts_at.astimezone(BERLIN)
    end = termin.ends_at.astimezone(BERLIN) if termin.ends_at else None
    return TerminForm(
        kind=termin.kind.value,
        title=termin.title,
        start_date=start.date().isoformat(),
        start_time="" if termin.all_day else start.strftime("%H:%M"),
        end_date=end.date().isoformat() if end else "",
        end_time=end.strftime("%H:%M") if end and not termin.all_day else "",
        place=termin.place,
        link=termin.link or "",
        note=termin.note,
    )


def kind_choices() -> list[tuple[str, str]]:
    """The kinds for the select (values and untranslated labels)."""
    return [(kind.value, label) for kind, label in KIND_LABELS.items()]
