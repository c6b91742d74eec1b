"""The date form's check: every odd input is a message on its field, never an exception
other than ValidationFailed; times are Berlin wall-clock time stored in UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.errors import ValidationFailed
from app.dates.forms import TerminForm, clean
from app.dates.models import Kind


def _errors(**fields: str) -> dict[str, str]:
    values = {"title": "Vernetzungstreffen", "start_date": "2027-03-10", **fields}
    with pytest.raises(ValidationFailed) as caught:
        clean(TerminForm(**values))
    return caught.value.errors


def test_a_timed_date_is_berlin_time_stored_in_utc() -> None:
    data = clean(
        TerminForm(
            kind="workshop",
            title="  Workshop   Bürgerportal ",
            start_date="2027-07-01",
            start_time="14:30",
            end_time="16:00",
            link="https://meet.example.org/raum",
        )
    )
    assert data.kind is Kind.WORKSHOP
    assert data.title == "Workshop Bürgerportal"
    assert not data.all_day
    assert data.starts_at == dt.datetime(2027, 7, 1, 12, 30, tzinfo=dt.UTC)  # CEST is UTC+2
    assert data.ends_at == dt.datetime(2027, 7, 1, 14, 0, tzinfo=dt.UTC)
    assert data.link == "https://meet.example.org/raum"


def test_a_date_without_a_time_is_a_whole_day() -> None:
    data = clean(TerminForm(kind="foerderfrist", title="Frist", start_date="2027-01-15"))
    assert data.all_day
    assert data.starts_at == dt.datetime(2027, 1, 14, 23, 0, tzinfo=dt.UTC)  # CET is UTC+1
    assert data.ends_at is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start_date": "2027-02-31"}, "start_date"),
        ({"start_date": "31.02.2027"}, "start_date"),
        ({"start_date": ""}, "start_date"),
        ({"start_date": "99999-01-01"}, "start_date"),
        ({"start_date": "1850-01-01"}, "start_date"),
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": "14:30:00.5"}, "start_time"),
        ({"start_time": "\x00"}, "start_time"),
        ({"title": ""}, "title"),
        ({"title": "Treffen\x00"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"place": "Rathaus\u202e"}, "place"),
        ({"note": "Hinweis\x07"}, "note"),
        ({"kind": "party"}, "kind"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"link": "JAVASCRIPT:alert(1)"}, "link"),
        ({"link": "data:text/html,<script>alert(1)</script>"}, "link"),
        ({"link": "ftp://files.example.org/"}, "link"),
        ({"link": "https://"}, "link"),
        ({"link": "https://[meet.example.org/raum"}, "link"),  # urlsplit() raised: a 500
        ({"link": "http://[zz]/"}, "link"),
        ({"link": "https://meet.example.org/a b"}, "link"),
        ({"link": "https://example.org/" + "a" * 500}, "link"),
        ({"end_date": "2027-03-09"}, "end_date"),
        ({"start_time": "10:00", "end_time": "09:00"}, "end_time"),
        ({"start_time": "10:00", "end_time": "10:00"}, "end_time"),
        ({"end_time": "12:00"}, "end_time"),
        ({"end_date": "2027-02-30"}, "end_date"),
    ],
)
def test_odd_input_is_a_message_on_its_field(fields: dict[str, str], field: str) -> None:
    assert field in _errors(**fields)


def test_several_days_may_end_at_an_earlier_hour() -> None:
    data = clean(
        TerminForm(
            title="Klausur",
            start_date="2027-03-10",
            start_time="18:00",
            end_date="2027-03-11",
            end_time="12:00",
        )
    )
    assert data.ends_at is not None and data.ends_at > data.starts_at
