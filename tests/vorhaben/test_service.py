"""Creating and editing Vorhaben: validation, versions, the stage state machine, rights."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.vorhaben import diff, service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import Follow, Stage, VorhabenVersion
from tests import factories


def test_create_keeps_every_field_renders_markdown_and_follows(
    db: Session, settings: Settings
) -> None:
    author = factories.account(db)
    partner = factories.municipality(db, "Nachbarstadt")
    colleague = factories.account(
        db, "Kollegin", municipality=db.get(factories.Municipality, author.municipality_id)
    )
    form = VorhabenForm(
        title="  Digitaler   Bauantrag ",
        summary="Kurz",
        description="## Ziel\n<script>x</script>",
        stage="konzept",
        visibility="members",
        tags="ozg, Bauantrag, ozg ,  efa",
        looking_for_partners=True,
        uses_ai="weak_ai",
        license="EUPL-1.2",
        repository_url="https://gitlab.opencode.de/x/y",
        start_date="2026-01-01",
        end_date="2026-12-31",
        partner_municipalities=[partner.ags],
        contacts=[str(colleague.id)],
        funding_programme="Digitalprogramm",
    )
    vorhaben = service.create(db, settings, author, form)
    loaded = service.get(db, author, vorhaben.id)
    assert loaded.title == "Digitaler Bauantrag"
    assert loaded.tag_names == ["Bauantrag", "efa", "ozg"]
    assert loaded.open_source and loaded.license == "EUPL-1.2"
    assert [entry.name for entry in loaded.partners] == ["Nachbarstadt"]
    assert [entry.id for entry in loaded.contacts] == [colleague.id]
    assert "<h2>Ziel</h2>" in loaded.description_html and "<script" not in loaded.description_html
    assert db.get(Follow, (author.id, vorhaben.id)) is not None
    assert [stage.to_stage for stage in service.timeline(db, vorhaben.id)] == [Stage.KONZEPT]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"description": "x" * 50_001}, "description"),
        ({"stage": "fertig"}, "stage"),
        ({"fields_of_action": ["99999"]}, "fields_of_action"),
        ({"tags": ",".join(f"t{n}" for n in range(11))}, "tags"),
        ({"license": "WTFPL-9"}, "license"),
        ({"repository_url": "javascript:alert(1)"}, "repository_url"),
        ({"website_url": "ftp://x"}, "website_url"),
        # What urlsplit() raises on (a 500 before): an unbalanced bracket, a bad IP literal.
        ({"website_url": "https://[x"}, "website_url"),
        ({"repository_url": "http://[zz]/"}, "repository_url"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"start_date": "2026-05-01", "end_date": "2026-01-01"}, "end_date"),
        ({"title": "Bau\u202eantrag"}, "title"),
        ({"description": "a\x07b"}, "description"),
        ({"uses_ai": "skynet"}, "uses_ai"),
        ({"partner_municipalities": ["abc"]}, "partner_municipalities"),
        ({"contacts": ["x"]}, "contacts"),
    ],
)
def test_invalid_input_names_the_field(
    db: Session, settings: Settings, changes: dict[str, object], field: str
) -> None:
    author = factories.account(db)
    form = VorhabenForm(**{"title": "Gültig", **changes})  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed) as caught:
        service.create(db, settings, author, form)
    assert field in caught.value.errors


def test_contacts_must_belong_to_the_municipality(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    stranger = factories.account(db)
    with pytest.raises(ValidationFailed) as caught:
        service.create(db, settings, author, VorhabenForm(title="X", contacts=[str(stranger.id)]))
    assert "contacts" in caught.value.errors


def test_every_change_is_a_version_with_a_readable_diff(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Bürgerportal", description="Erste Fassung")
    form = service.form_from(service.get(db, author, vorhaben.id))
    service.update(db, settings, author, vorhaben.id, form)  # nothing changed
    assert service.get(db, author, vorhaben.id).version == 1
    form.description = "Zweite Fassung <mit> Zusatz"
    service.update(db, settings, author, vorhaben.id, form)
    current, previous = service.version(db, vorhaben.id, 2)
    assert previous is not None
    [change] = diff.changes(previous.snapshot, current.snapshot)
    assert change.field == "description"
    assert "<del>Erste</del>" in change.before
    assert "<ins>Zweite</ins>" in change.after and "&lt;mit&gt;" in change.after
    assert len(db.scalars(select(VorhabenVersion)).all()) == 2


def test_stage_changes_follow_the_state_machine(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Pilot", stage="idee")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.stage = "betrieb"
    with pytest.raises(ValidationFailed) as caught:
        service.update(db, settings, author, vorhaben.id, form)
    assert "stage" in caught.value.errors
    for stage in ("konzept", "pilot", "eingestellt"):
        form.stage = stage
        if stage == "eingestellt":
            form.lessons_learned = "Zu früh gestartet."
        service.update(db, settings, author, vorhaben.id, form)
    loaded = service.get(db, author, vorhaben.id)
    assert loaded.stage is Stage.EINGESTELLT
    assert "Zu früh" in loaded.lessons_learned_html
    assert [step.to_stage.value for step in service.timeline(db, vorhaben.id)] == [
        "idee",
        "konzept",
        "pilot",
        "eingestellt",
    ]


def test_a_stale_form_is_a_conflict(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Konflikt")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.summary = "A"
    service.update(db, settings, author, vorhaben.id, form, expected_version=1)
    form.summary = "B"
    with pytest.raises(Conflict):
        service.update(db, settings, author, vorhaben.id, form, expected_version=1)


def test_only_the_owning_municipality_edits(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    colleague = factories.account(
        db, municipality=db.get(factories.Municipality, author.municipality_id)
    )
    other = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Gemeinsam")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.summary = "von der Kollegin"
    service.update(db, settings, colleague, vorhaben.id, form)
    with pytest.raises(Forbidden):
        service.update(db, settings, other, vorhaben.id, form)


def test_author_and_moderators_delete_and_moderators_are_audited(
    db: Session, settings: Settings
) -> None:
    author = factories.account(db)
    other = factories.account(db)
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    first = factories.vorhaben(db, author, "Eins")
    second = factories.vorhaben(db, author, "Zwei")
    with pytest.raises(Forbidden):
        service.delete_vorhaben(db, settings, other, first.id)
    service.delete_vorhaben(db, settings, author, first.id)
    service.delete_vorhaben(db, settings, moderator, second.id, "Doppelt")
    with pytest.raises(NotFound):
        service.get(db, author, first.id)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "vorhaben_deleted")).one()
    assert event.actor_id == moderator.id and event.reason == "Doppelt"
