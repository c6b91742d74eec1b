"""The GV100AD parser against the record description and the real file."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest

from app.municipalities.gv100ad import GV100ADError, parse_line, read_file
from app.municipalities.models import Level
from tests.conftest import GV100AD_EXCERPT, GV100AD_FILE, NO_FULL_GV100AD

GEMEINDE_KIEL = "6020251130010020000000Kiel, Landeshauptstadt".ljust(
    122
) + "61    000000118650000025266800000123532    24103*****  2119151713101005".ljust(98)


def test_parses_a_gemeinde_with_area_population_and_postcode() -> None:
    record = parse_line(GEMEINDE_KIEL, 7)
    assert record.level is Level.GEMEINDE
    assert record.ags == "01002000"
    assert record.ars == "010020000000"
    assert record.name == "Kiel, Landeshauptstadt"
    assert record.kind_code == 61
    assert record.area_ha == 11865
    assert record.population == 252668
    assert record.postcode == "24103"
    assert record.postcode_unique is False
    assert record.gebietsstand == dt.date(2025, 11, 30)
    assert record.parent_keys == ("010020000", "01002", "01")


def test_trailing_blanks_stripped_by_an_editor_are_tolerated() -> None:
    record = parse_line("102025113001          Schleswig-Holstein", 1)
    assert (record.level, record.ags, record.name) == (Level.LAND, "01", "Schleswig-Holstein")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("99" + "2025113001".ljust(218), "unknown record type '99'"),
        ("1020251399" + "01".ljust(210), "Gebietsstand '20251399' is not a date"),
        ("10202511300X".ljust(220), "Land '0X' is not 2 digits"),
        ("102025113001".ljust(220), "the name (positions 23-72) is empty"),
        ("x" * 221, "record has 221 characters"),
        (GEMEINDE_KIEL[:139] + "00000ABC000" + GEMEINDE_KIEL[150:], "Bevölkerung"),
    ],
)
def test_a_malformed_line_names_its_line_number(line: str, reason: str) -> None:
    with pytest.raises(GV100ADError) as caught:
        parse_line(line, 42)
    assert str(caught.value).startswith("line 42: ")
    assert reason in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(
        b"102025113001          Schleswig-Holstein\n"
        + "402025113001001       Lübeck".encode("latin-1")
    )
    with pytest.raises(GV100ADError, match=r"line 2: the file is not UTF-8"):
        read_file(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GV100ADError, match="file not found"):
        read_file(tmp_path / "nope.txt")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(GV100ADError, match="holds no GV100AD records"):
        read_file(path)


def test_the_excerpt_has_every_level_and_reads_the_hard_cases() -> None:
    """Records cut unchanged from the real file (tests/data/README.md), on every checkout."""
    records = read_file(GV100AD_EXCERPT)
    counts = collections.Counter(record.level for record in records)
    assert counts == {
        Level.LAND: 6,
        Level.REGIERUNGSBEZIRK: 3,
        Level.REGION: 1,
        Level.KREIS: 6,
        Level.GEMEINDEVERBAND: 11,
        Level.GEMEINDE: 14,
    }
    by_key = {(record.level, record.ags): record for record in records}
    assert {record.gebietsstand for record in records} == {dt.date(2025, 11, 30)}
    # A city-state: one name on every level, no Regierungsbezirk in between.
    hamburg = [record for record in records if record.ags.startswith("02")]
    assert [record.level for record in hamburg] == [
        Level.LAND,
        Level.KREIS,
        Level.GEMEINDEVERBAND,
        Level.GEMEINDE,
    ]
    assert by_key[Level.GEMEINDE, "02000000"].population == 1862565
    assert by_key[Level.GEMEINDE, "02000000"].postcode == "20038"
    # A Landkreis and a kreisfreie Stadt of the same name are two Kreise.
    assert by_key[Level.KREIS, "09184"].name == "München"
    assert by_key[Level.KREIS, "09162"].name == "München, Landeshauptstadt"
    # Umlauts and ß as written, in names and seats.
    assert by_key[Level.GEMEINDE, "09184135"].name == "Oberschleißheim"
    assert by_key[Level.LAND, "08"].name == "Baden-Württemberg"
    # A Gemeinde in a Verbandsgemeinde: its ARS names the Verband, its parents come nearest
    # first.
    doernberg = by_key[Level.GEMEINDE, "07141030"]
    assert doernberg.name == "Dörnberg" and doernberg.ars == "071415003030"
    assert doernberg.parent_keys == ("071415003", "07141", "07")
    # A gemeindefreies Gebiet: no one lives there, and it has no postcode.
    forst = by_key[Level.GEMEINDE, "09184457"]
    assert (forst.population, forst.postcode) == (0, None)
    # The coastal waters: a Verband directly below its Land (Kreis 000).
    assert by_key[Level.GEMEINDEVERBAND, "130009999"].parent_keys == ("13000", "130", "13")
    # A Region sits below its Regierungsbezirk.
    assert by_key[Level.REGION, "0811"].parent_keys == ("081",)
    gemeinden = [record for record in records if record.level is Level.GEMEINDE]
    assert all(record.postcode for record in gemeinden if record.population)


@pytest.mark.skipif(not GV100AD_FILE.exists(), reason=NO_FULL_GV100AD)
def test_the_real_file_has_every_level_in_the_official_numbers() -> None:
    records = read_file(GV100AD_FILE)
    counts = collections.Counter(record.level for record in records)
    assert counts == {
        Level.LAND: 16,
        Level.REGIERUNGSBEZIRK: 29,
        Level.REGION: 12,
        Level.KREIS: 400,
        Level.GEMEINDEVERBAND: 4590,
        Level.GEMEINDE: 10953,
    }
    gemeinden = [record for record in records if record.level is Level.GEMEINDE]
    assert all(record.postcode for record in gemeinden if record.population)
    assert sum(record.population or 0 for record in gemeinden) > 80_000_000
