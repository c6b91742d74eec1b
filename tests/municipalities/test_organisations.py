"""Organisations beside the registry: created and changed by moderators (audited), found by
the picker's search like any municipality, named with their type and country, and never
touched by an import of the Destatis registry."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.labels import action_label, describe_details
from app.audit.models import AuditEvent
from app.core.errors import ValidationFailed
from app.demo import DEMO_REGISTRY
from app.municipalities import gv100ad, organisations, service
from app.municipalities.models import Level, OrganisationType
from app.municipalities.organisations import OrganisationForm
from tests import factories


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_creating_gives_a_key_that_is_never_an_ags_and_is_audited(db: Session) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    kgst = organisations.create(
        db, moderator.id, OrganisationForm(name="  KGSt  ", kind="901", country="de")
    )
    assert kgst.ags == f"org-{kgst.id}" and not kgst.ags.isdigit()
    assert (kgst.level, kgst.name, kgst.country, kgst.active) == (
        Level.ORGANISATION,
        "KGSt",
        "DE",
        True,
    )
    assert kgst.display_name == "KGSt (Verband)"
    assert service.get_by_ags(db, kgst.ags) is kgst
    assert service.is_selectable(kgst)
    [event] = _events(db, "organisation_created")
    assert (event.actor_id, event.object_type, event.object_id) == (
        moderator.id,
        "municipality",
        kgst.ags,
    )
    assert action_label("organisation_created") == "Organisation angelegt"
    shown = dict(describe_details(event.details))
    assert shown["Art"] == "Verband" and shown["Staat"] == "DE" and shown["Name"] == "KGSt"


def test_a_municipality_abroad_names_its_country(db: Session) -> None:
    wien = factories.organisation(db, "Wien", kind=OrganisationType.KOMMUNE_AUSLAND, country="AT")
    assert wien.display_name == "Wien (Kommune im Ausland, Österreich)"
    assert wien.kind_label == "Kommune im Ausland" and wien.country_name == "Österreich"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (OrganisationForm(name="", kind="901", country="DE"), "name"),
        (OrganisationForm(name="x" * 201, kind="901", country="DE"), "name"),
        (OrganisationForm(name="KGSt\u202e", kind="901", country="DE"), "name"),
        (OrganisationForm(name="KGSt", kind="41", country="DE"), "kind"),
        (OrganisationForm(name="KGSt", kind="", country="DE"), "kind"),
        (OrganisationForm(name="KGSt", kind="901", country="XX"), "country"),
        (OrganisationForm(name="KGSt", kind="901", country="EU"), "country"),
        (OrganisationForm(name="Graz", kind="903", country="DE"), "country"),
        (OrganisationForm(name="Graz", kind="903", country="AT", land_id="abc"), "land_id"),
        (OrganisationForm(name="Amt", kind="902", country="DE", land_id="²"), "land_id"),
        (OrganisationForm(name="Amt", kind="902", country="DE", land_id="9" * 40), "land_id"),
        (OrganisationForm(name="Amt", kind="902", country="DE", land_id="9" * 12), "land_id"),
    ],
)
def test_wrong_input_is_refused_per_field(db: Session, form: OrganisationForm, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        organisations.create(db, None, form)
    assert field in refused.value.errors
    assert _events(db, "organisation_created") == []


def test_a_german_land_only_fits_an_organisation_in_germany(db: Session) -> None:
    bayern = factories.municipality(db, "Bayern", level=Level.LAND, kind_code=None)
    with pytest.raises(ValidationFailed) as refused:
        organisations.create(
            db,
            None,
            OrganisationForm(name="Amt", kind="902", country="CH", land_id=str(bayern.id)),
        )
    assert "land_id" in refused.value.errors
    ministry = factories.organisation(
        db, "Staatsministerium für Digitales", kind=OrganisationType.LANDESMINISTERIUM, land=bayern
    )
    assert ministry.land_id == bayern.id


def test_changing_is_audited_with_what_changed_and_can_take_it_off_the_picker(
    db: Session,
) -> None:
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    entry = factories.organisation(db, "Städtetag")
    form = OrganisationForm.of(entry)
    form.name = "Deutscher Städtetag"
    form.active = False
    organisations.change(db, moderator.id, entry.id, form)
    assert entry.name == "Deutscher Städtetag" and entry.active is False
    assert not service.is_selectable(entry)
    assert service.search(db, "Städtetag") == []
    [event] = _events(db, "organisation_changed")
    assert event.details == {
        "before": {"name": "Städtetag", "active": True},
        "after": {"name": "Deutscher Städtetag", "active": False},
    }
    # Saving the same values again records nothing.
    organisations.change(db, moderator.id, entry.id, OrganisationForm.of(entry))
    assert len(_events(db, "organisation_changed")) == 1


def test_the_search_finds_organisations_beside_municipalities(db: Session) -> None:
    service.import_registry(db, gv100ad.read_file(DEMO_REGISTRY))
    kgst = factories.organisation(db, "KGSt Köln")
    found = [entry.ags for entry in service.search(db, "köln")]
    assert kgst.ags in found and "05315000" in found
    assert [entry.ags for entry in service.search(db, "kgst")] == [kgst.ags]
    # A key search looks only at the registry's keys.
    assert kgst.ags not in [entry.ags for entry in service.search(db, "0")]


def test_an_import_never_changes_or_deactivates_an_organisation(db: Session) -> None:
    records = gv100ad.read_file(DEMO_REGISTRY)
    service.import_registry(db, records)
    wien = factories.organisation(db, "Wien", kind=OrganisationType.KOMMUNE_AUSLAND, country="AT")
    before = (wien.ags, wien.name, wien.kind_code, wien.country, wien.active)
    result = service.import_registry(db, records[:5])  # a file missing almost everything
    assert result.total.deactivated == len(records) - 5
    assert Level.ORGANISATION not in result.levels
    again = service.get_by_ags(db, wien.ags)
    assert again is not None
    assert (again.ags, again.name, again.kind_code, again.country, again.active) == before
    assert service.import_registry(db, records).total.created == 0
