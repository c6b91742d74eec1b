"""The list: filters, both sorts, keyset pagination without gaps or repeats."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.core import clock
from app.vorhaben.models import Vorhaben
from app.vorhaben.repository import VorhabenFilter, list_vorhaben
from tests import factories


def test_filters_combine(db: Session) -> None:
    land = factories.municipality(db, "Land X", level=factories.Level.LAND)
    kreis = factories.municipality(db, "Kreis Y", level=factories.Level.KREIS, land=land)
    town = factories.municipality(db, "Stadt Z", land=land, kreis=kreis)
    author = factories.account(db, municipality=town)
    elsewhere = factories.account(db)
    match = factories.vorhaben(
        db, author, "Treffer", stage="pilot", fields=["abfall"], looking_for_partners=True
    )
    factories.vorhaben(db, author, "Andere Phase", stage="idee", fields=["abfall"])
    factories.vorhaben(db, elsewhere, "Anderes Land", stage="pilot", fields=["abfall"])
    reader = factories.account(db)
    found = list_vorhaben(
        db, reader, VorhabenFilter(stage="pilot", field="abfall", land=str(land.id), partners="1")
    )
    assert [v.id for v in found.items] == [match.id]
    assert [v.id for v in list_vorhaben(db, reader, VorhabenFilter(kreis=str(kreis.id))).items] == [
        v.id for v in list_vorhaben(db, reader, VorhabenFilter(municipality=town.ags)).items
    ]
    # Unknown filter values are ignored, not errors.
    assert len(list_vorhaben(db, reader, VorhabenFilter(stage="x", ai="y", land="z")).items) == 3


def test_keyset_pages_cover_everything_once_in_both_sorts(db: Session) -> None:
    author = factories.account(db)
    created = []
    for number in range(7):
        created.append(factories.vorhaben(db, author, f"Vorhaben {number}").id)
        clock.travel(dt.timedelta(minutes=1))
    first = db.get(Vorhaben, created[0])
    assert first is not None
    factories.comment(db, author, first)
    reader = factories.account(db)
    for sort in ("activity", "newest"):
        seen: list[int] = []
        after = None
        while True:
            page = list_vorhaben(db, reader, VorhabenFilter(), sort=sort, after=after, limit=3)
            seen.extend(v.id for v in page.items)
            if not page.next_cursor:
                break
            after = page.next_cursor
        assert sorted(seen) == sorted(created)
        assert len(seen) == len(set(seen))
        if sort == "newest":
            assert seen == list(reversed(created))
        else:
            assert seen[0] == created[0]  # the comment made it the most recently active
