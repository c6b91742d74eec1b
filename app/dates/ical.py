"""Dates as iCalendar (RFC 5545), written with the `icalendar` library.

Times go out in UTC (`…Z`), which every calendar app reads and shows in its own zone, so no
VTIMEZONE is needed; a whole-day date is a DATE with the exclusive end RFC 5545 asks for.
The UID stays the same for the life of a date and SEQUENCE rises with every change, so a
calendar app updates the entry instead of adding a second; a deleted date is simply no
longer in the feed, and apps drop it at their next poll.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi.responses import Response

from app.dates.service import OwnerKind
from app.dates.views import TerminView
from app.i18n import N_
from app.i18n import gettext as _

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Allmende//Termine//DE"

OWNER_LINE = {
    OwnerKind.VORHABEN: N_("Vorhaben „%(title)s“: %(url)s"),
    OwnerKind.CIRCLE: N_("Kreis „%(title)s“: %(url)s"),
    OwnerKind.TOPIC: N_("Thema „%(title)s“: %(url)s"),
}


def uid(termin_id: int, base_url: str) -> str:
    """The lasting UID of a date."""
    host = urlsplit(base_url).hostname or "allmende"
    return f"termin-{termin_id}@{host}"


def _event(view: TerminView, base_url: str) -> Event:
    from icalendar import Event  # noqa: PLC0415 - imported on first use (9 MB)

    event = Event()
    event.add("uid", uid(view.id, base_url))
    event.add("dtstamp", view.updated_at.astimezone(dt.UTC))
    event.add("last-modified", view.updated_at.astimezone(dt.UTC))
    event.add("sequence", view.sequence)
    event.add("summary", view.title)
    event.add("categories", [_(view.kind_label)])
    if view.all_day:
        first = view.start_local.date()
        last = view.end_local.date() if view.end_local else first
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))
    else:
        event.add("dtstart", view.starts_at.astimezone(dt.UTC))
        if view.ends_at is not None:
            event.add("dtend", view.ends_at.astimezone(dt.UTC))
    if view.place:
        event.add("location", view.place)
    page = base_url.rstrip("/") + view.href
    if view.link:
        event.add("url", view.link)
    description = [view.note] if view.note else []
    if view.link:
        description.append(_("Link: %(url)s", url=view.link))
    description.append(_(OWNER_LINE[view.owner_kind], title=view.owner_title, url=page))
    event.add("description", "\n\n".join(description))
    return event


def calendar(views: Iterable[TerminView], base_url: str, *, name: str | None = None) -> bytes:
    """A VCALENDAR of these dates (one for a single file, many for the feed)."""
    # Imported on first use: a worker that serves no calendar keeps its 9 MB.
    from icalendar import Calendar  # noqa: PLC0415

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for view in views:
        cal.add_component(_event(view, base_url))
    return bytes(cal.to_ical())


def response(body: bytes, filename: str) -> Response:
    """An iCalendar body as a download that no cache keeps."""
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
