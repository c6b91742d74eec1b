"""Importing the registry: idempotent, updating, deactivating, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import DEMO_REGISTRY
from app.municipalities import gv100ad, service
from app.municipalities.models import Level, Municipality
from tests.conftest import GV100AD_EXCERPT, GV100AD_FILE, NO_FULL_GV100AD


def _demo_records() -> list[gv100ad.Record]:
    return gv100ad.read_file(DEMO_REGISTRY)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(db: Session) -> None:
    records = _demo_records()
    first = service.import_registry(db, records)
    assert first.total.created == len(records)
    second = service.import_registry(db, records)
    assert second.total == service.Counts(unchanged=len(records))
    assert not second.changed_anything


def test_hierarchy_links_gemeinde_to_kreis_land_and_verband(db: Session) -> None:
    service.import_registry(db, _demo_records())
    muenchen = service.get_by_ags(db, "09162000")
    assert muenchen is not None
    assert muenchen.name == "München, Landeshauptstadt"
    assert muenchen.land is not None and muenchen.land.name == "Bayern"
    assert muenchen.kreis is not None and muenchen.kreis.ags == "09162"
    assert muenchen.population and muenchen.population > 1_400_000
    bayern = service.get_by_ags(db, "09")
    assert bayern is not None and bayern.land_id == bayern.id
    # Higher levels carry the sum of their Gemeinden.
    kreis = service.get_by_ags(db, "09184")
    members = (
        db.scalar(
            select(func.sum(Municipality.population)).where(
                Municipality.kreis_id == kreis.id, Municipality.level == Level.GEMEINDE
            )
        )
        if kreis
        else None
    )
    assert kreis is not None and kreis.population == members


def test_a_newer_file_renames_and_deactivates_but_never_deletes(db: Session) -> None:
    records = _demo_records()
    service.import_registry(db, records)
    renamed = [
        dataclasses.replace(
            record,
            name="Kiel, Landeshauptstadt (neu)" if record.ags == "01002000" else record.name,
            gebietsstand=dt.date(2026, 6, 30),
        )
        for record in records
        if record.ags != "09162000"
    ]
    result = service.import_registry(db, renamed)
    # Kiel's new name, and the population sums of München's Verband, Kreis, Bezirk and Land.
    assert result.total.updated == 5
    assert result.total.deactivated == 1
    assert result.total.unchanged == len(renamed) - 5
    kiel = service.get_by_ags(db, "01002000")
    assert kiel is not None and kiel.name == "Kiel, Landeshauptstadt (neu)"
    assert kiel.gebietsstand == dt.date(2026, 6, 30)
    muenchen = service.get_by_ags(db, "09162000")
    assert muenchen is not None and muenchen.active is False
    # Coming back reactivates it.
    again = service.import_registry(db, records)
    assert again.total.updated >= 2
    muenchen = service.get_by_ags(db, "09162000")
    assert muenchen is not None and muenchen.active is True


def test_a_duplicate_key_aborts_with_its_line(db: Session) -> None:
    records = _demo_records()
    with pytest.raises(gv100ad.GV100ADError, match=r"appears twice \(first on line"):
        service.import_registry(db, [*records, records[-1]])


def test_demo_set_does_not_deactivate_a_full_registry(db: Session) -> None:
    records = _demo_records()
    service.import_registry(db, records)
    extra = service.get_by_ags(db, "09162000")
    assert extra is not None
    partial = [record for record in records if record.ags != "09162000"]
    result = service.import_registry(db, partial, deactivate_missing=False)
    assert result.total.deactivated == 0


def test_search_finds_by_name_without_umlauts_and_by_key(db: Session) -> None:
    service.import_registry(db, _demo_records())
    by_name = service.search(db, "munchen")
    assert [entry.ags for entry in by_name][:1] == ["09162000"]
    assert "09184" in [entry.ags for entry in by_name]  # Landkreis München
    by_key = service.search(db, "09162")
    assert by_key[0].ags == "09162000"
    # A kreisfreie Stadt is offered once (as Gemeinde), not also as Kreis and Verband.
    assert [entry.level for entry in service.search(db, "Kiel")] == [Level.GEMEINDE]
    assert service.search(db, "   ") == []
    assert service.search(db, "%_") == []


def test_the_excerpt_imports_with_its_hierarchy_and_sums(db: Session) -> None:
    """The real file's hard cases (tests/data/README.md), on every checkout."""
    records = gv100ad.read_file(GV100AD_EXCERPT)
    result = service.import_registry(db, records)
    assert result.total == service.Counts(created=41)
    assert service.counts_by_level(db) == {
        Level.LAND: 6,
        Level.REGIERUNGSBEZIRK: 3,
        Level.REGION: 1,
        Level.KREIS: 6,
        Level.GEMEINDEVERBAND: 11,
        Level.GEMEINDE: 14,
    }

    def entry(ags: str, level: Level = Level.GEMEINDE) -> Municipality:
        return db.scalars(
            select(Municipality).where(Municipality.ags == ags, Municipality.level == level)
        ).one()

    # Each Gemeinde knows its Land and Kreis; the coastal waters have no Kreis.
    stuttgart = entry("08111000")
    assert stuttgart.land_id == entry("08", Level.LAND).id
    assert stuttgart.kreis_id == entry("08111", Level.KREIS).id
    waters = entry("13000999")
    assert waters.land_id == entry("13", Level.LAND).id and waters.kreis_id is None
    assert entry("130009999", Level.GEMEINDEVERBAND).parent_id == entry("13", Level.LAND).id
    assert entry("0811", Level.REGION).parent_id == entry("081", Level.REGIERUNGSBEZIRK).id
    # Higher levels carry the sum of their Gemeinden: a city-state its one Gemeinde, the
    # Landkreis München the three of the excerpt.
    assert entry("02", Level.LAND).population == entry("02000000").population == 1862565
    landkreis = entry("09184", Level.KREIS)
    parts = ["09184122", "09184135", "09184457"]
    assert landkreis.population == sum(entry(ags).population or 0 for ags in parts) == 23036
    # München is a Stadt and a Landkreis; a search without the umlaut finds both.
    found = [(hit.ags, hit.level) for hit in service.search(db, "munchen")]
    assert ("09162000", Level.GEMEINDE) in found and ("09184", Level.KREIS) in found
    assert [hit.name for hit in service.search(db, "Oberschleissheim")] == ["Oberschleißheim"]
    again = service.import_registry(db, records)
    assert again.total == service.Counts(unchanged=41)


@pytest.mark.skipif(not GV100AD_FILE.exists(), reason=NO_FULL_GV100AD)
def test_the_real_registry_imports_with_the_official_counts(db: Session) -> None:
    records = gv100ad.read_file(GV100AD_FILE)
    result = service.import_registry(db, records)
    assert result.total == service.Counts(created=16000)
    assert service.counts_by_level(db) == {
        Level.LAND: 16,
        Level.REGIERUNGSBEZIRK: 29,
        Level.REGION: 12,
        Level.KREIS: 400,
        Level.GEMEINDEVERBAND: 4590,
        Level.GEMEINDE: 10953,
    }
    again = service.import_registry(db, records)
    assert again.total == service.Counts(unchanged=16000)


def test_laender_and_display_names_read_the_registry(db: Session) -> None:
    """The lookups the moderation pages use (the Land filter, the audit log's places)."""
    service.import_registry(db, _demo_records())
    laender = service.laender(db)
    assert ("Bayern" in dict(laender).values()) and len(laender) == len(dict(laender))
    bayern = service.get_by_ags(db, "09")
    assert bayern is not None and (bayern.id, bayern.name) in laender
    muenchen = service.get_by_ags(db, "09162000")
    assert muenchen is not None
    assert service.display_names(db, {"09162000", "99999999"}) == {
        "09162000": muenchen.display_name
    }
    assert service.display_names(db, set()) == {}
