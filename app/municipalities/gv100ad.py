"""Parser for the Destatis Gemeindeverzeichnis GV100AD (fixed-width records, 220 characters).

Positions follow the record description "Datensatzbeschreibung GV100AD" (Satzart 10-60);
the comments name the field (EF) numbers. Positions there are 1-based and inclusive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.municipalities.models import Level

RECORD_LENGTH = 220

RECORD_LEVELS = {
    "10": Level.LAND,
    "20": Level.REGIERUNGSBEZIRK,
    "30": Level.REGION,
    "40": Level.KREIS,
    "50": Level.GEMEINDEVERBAND,
    "60": Level.GEMEINDE,
}


class GV100ADError(Exception):
    """A file that is not a readable GV100AD file; the message names the line."""

    def __init__(self, message: str, line_number: int | None = None) -> None:
        self.line_number = line_number
        prefix = f"line {line_number}: " if line_number is not None else ""
        super().__init__(prefix + message)


@dataclass(frozen=True, slots=True)
class Record:
    """One territorial unit as the file describes it."""

    line_number: int
    level: Level
    gebietsstand: dt.date
    ags: str
    parent_keys: tuple[str, ...]  # candidate parents, nearest first; the first that exists wins
    name: str
    seat: str | None
    kind_code: int | None
    ars: str | None = None
    area_ha: int | None = None
    population: int | None = None
    postcode: str | None = None
    postcode_unique: bool | None = None


def _field(line: str, start: int, end: int) -> str:
    """Characters start..end (1-based, inclusive), as in the record description."""
    return line[start - 1 : end]


def _digits(value: str, what: str, line_number: int, *, length: int) -> str:
    if len(value) != length or not (value.isascii() and value.isdigit()):
        raise GV100ADError(f"{what} {value!r} is not {length} digits", line_number)
    return value


def _number(value: str, what: str, line_number: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise GV100ADError(f"{what} {value!r} is not a number", line_number)
    return int(value)


def parse_line(line: str, line_number: int) -> Record:
    """Parse one record; raise GV100ADError naming the line when it is malformed."""
    if len(line) > RECORD_LENGTH:
        raise GV100ADError(
            f"record has {len(line)} characters, expected {RECORD_LENGTH}", line_number
        )
    line = line.ljust(RECORD_LENGTH)  # editors like to strip trailing blanks
    record_type = _field(line, 1, 2)  # EF1 Satzart
    level = RECORD_LEVELS.get(record_type)
    if level is None:
        raise GV100ADError(f"unknown record type {record_type!r}", line_number)
    stand = _digits(_field(line, 3, 10), "Gebietsstand", line_number, length=8)  # EF2
    try:
        gebietsstand = dt.date(int(stand[:4]), int(stand[4:6]), int(stand[6:8]))
    except ValueError:
        raise GV100ADError(f"Gebietsstand {stand!r} is not a date", line_number) from None

    land = _digits(_field(line, 11, 12), "Land", line_number, length=2)  # EF3U1
    name = _field(line, 23, 72).strip()  # EF5
    if not name:
        raise GV100ADError("the name (positions 23-72) is empty", line_number)
    seat = _field(line, 73, 122).strip() or None  # EF6
    kind = _number(_field(line, 123, 124), "Textkennzeichen", line_number)  # EF7U1

    if level is Level.LAND:
        return Record(line_number, level, gebietsstand, land, (), name, seat, None)

    rb = _digits(_field(line, 13, 13), "Regierungsbezirk", line_number, length=1)  # EF3U2
    if level is Level.REGIERUNGSBEZIRK:
        return Record(line_number, level, gebietsstand, land + rb, (land,), name, seat, None)
    if level is Level.REGION:
        region = _digits(_field(line, 14, 14), "Region", line_number, length=1)  # EF3U3
        return Record(
            line_number, level, gebietsstand, land + rb + region, (land + rb,), name, seat, None
        )

    kreis = land + rb + _digits(_field(line, 14, 15), "Kreis", line_number, length=2)
    if level is Level.KREIS:
        return Record(line_number, level, gebietsstand, kreis, (land + rb, land), name, seat, kind)

    verband = _digits(_field(line, 19, 22), "Gemeindeverband", line_number, length=4)  # EF4
    if level is Level.GEMEINDEVERBAND:
        # A few unincorporated areas (coastal waters, a joint German-Luxembourg territory) sit
        # directly below their Land, with Kreis 000.
        parents = (kreis, land + rb, land)
        return Record(line_number, level, gebietsstand, kreis + verband, parents, name, seat, kind)

    gemeinde = _digits(_field(line, 16, 18), "Gemeinde", line_number, length=3)  # EF3U4
    postcode = _field(line, 166, 170).strip() or None  # EF12U1
    if postcode is not None:
        postcode = _digits(postcode, "Postleitzahl", line_number, length=5)
    return Record(
        line_number,
        level,
        gebietsstand,
        kreis + gemeinde,
        (kreis + verband, kreis, land),
        name,
        None,  # EF6 is empty for Gemeinden
        kind,
        ars=kreis + verband + gemeinde,
        area_ha=_number(_field(line, 129, 139), "Fläche", line_number),  # EF8
        population=_number(_field(line, 140, 150), "Bevölkerung", line_number),  # EF9
        postcode=postcode,
        postcode_unique=not _field(line, 171, 175).strip() if postcode else None,  # EF12U2
    )


def parse_lines(lines: Iterable[str]) -> Iterator[Record]:
    """Parse records from text lines, skipping blank lines."""
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        yield parse_line(line, number)


def read_file(path: Path) -> list[Record]:
    """Read and parse a whole GV100AD file; nothing is returned unless every line parses."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GV100ADError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise GV100ADError(f"{path} is a directory, not a GV100AD file") from None
    except PermissionError:
        raise GV100ADError(f"no permission to read {path}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_number = raw.count(b"\n", 0, error.start) + 1
        raise GV100ADError(
            "the file is not UTF-8 (convert it, e.g. iconv -f ISO-8859-1 -t UTF-8)", line_number
        ) from None
    records = list(parse_lines(text.split("\n")))
    if not records:
        raise GV100ADError(f"{path} holds no GV100AD records")
    return records
