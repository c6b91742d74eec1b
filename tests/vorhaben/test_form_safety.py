"""A refused Vorhaben form writes nothing (the request still commits after a 422), the
lessons-learned question when a Vorhaben ends, and the stage audit trail."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import Settings
from app.core.errors import ValidationFailed
from app.export.models import Publication, PublicationState
from app.search import index as search_index
from app.search.models import EntryKind, SearchEntry
from app.vorhaben import service, stages
from app.vorhaben.models import (
    Follow,
    Stage,
    StageChange,
    Vorhaben,
    VorhabenVersion,
)
from app.vorhaben.stages import STAGE_TRANSITIONS, Transition
from tests import factories
from tests.publishing import make_scene, publish

pytestmark = pytest.mark.commits


def _counts(db: Session) -> dict[str, int]:
    return {
        model.__name__: db.scalar(select(func.count()).select_from(model)) or 0
        for model in (Vorhaben, VorhabenVersion, StageChange, Follow, SearchEntry, AuditEvent)
    }


def _posted(vorhaben: Vorhaben, db: Session, token: str, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser would send it, with some fields changed."""
    form = service.form_from(service.get(db, _author(db, vorhaben), vorhaben.id))
    data: dict[str, Any] = {
        key: ("1" if value else "") if isinstance(value, bool) else value
        for key, value in dataclasses.asdict(form).items()
    }
    data.update(csrf_token=token, version=str(vorhaben.version), **changes)
    return data


def _author(db: Session, vorhaben: Vorhaben) -> factories.Account:
    author = db.get(factories.Account, vorhaben.author_id)
    assert author is not None
    return author


def test_an_unknown_partner_on_create_leaves_no_ghost(client: TestClient, db: Session) -> None:
    member = factories.account(db, "Frida Form")
    factories.login(client, db, member)
    token = factories.csrf_token(client, "/vorhaben/new")
    before = _counts(db)
    response = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "Gespenstervorhaben Ratsinfo",
            "summary": "Bleibt erhalten",
            "stage": "idee",
            "partner_municipalities": ["99999999"],
        },
    )
    assert response.status_code == 422
    assert 'href="#field-partner_municipalities"' in response.text
    assert 'value="Gespenstervorhaben Ratsinfo"' in response.text
    assert "Bleibt erhalten</textarea>" in response.text
    assert _counts(db) == before
    factories.login(client, db, factories.account(db))
    assert "Gespenstervorhaben" not in client.get("/vorhaben").text
    assert "Gespenstervorhaben" not in client.get("/suche?q=gespenstervorhaben").text


def test_partner_and_field_errors_come_back_together(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    response = client.post(
        "/vorhaben/new",
        data={
            "csrf_token": token,
            "title": "",
            "stage": "idee",
            "partner_municipalities": ["99999999"],
        },
    )
    assert response.status_code == 422
    assert 'href="#field-title"' in response.text
    assert 'href="#field-partner_municipalities"' in response.text


def test_a_contact_from_elsewhere_on_edit_changes_nothing(
    client: TestClient, db: Session, settings: Settings
) -> None:
    scene = make_scene(db)
    publication = publish(db, settings, scene)
    assert publication.state is PublicationState.PUBLISHED
    vorhaben = scene.vorhaben
    stranger = factories.account(db, "Fremde Kontaktperson")
    factories.login(client, db, scene.owner)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    before = _counts(db)
    response = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data=_posted(
            vorhaben,
            db,
            token,
            title="Halb gespeicherter Titel",
            visibility="municipality",
            stage="umsetzung",
            contacts=[str(stranger.id)],
        ),
    )
    assert response.status_code == 422
    assert 'href="#field-contacts"' in response.text
    assert 'value="Halb gespeicherter Titel"' in response.text
    assert _counts(db) == before
    db.expire_all()
    stored = db.get(Vorhaben, vorhaben.id)
    assert stored is not None
    assert stored.title == "Digitaler Bauantrag" and stored.version == 1
    assert stored.visibility.value == "members" and stored.stage is Stage.PILOT
    title = db.scalar(
        select(SearchEntry.tokens_a).where(
            SearchEntry.kind == EntryKind.VORHABEN, SearchEntry.ref_id == vorhaben.id
        )
    )
    assert title is not None and "halb" not in title.split()
    live = db.get(Publication, publication.id)
    assert live is not None and live.state is PublicationState.PUBLISHED and live.live
    assert client.get(f"/p/{publication.id}").status_code == 200


def test_the_savepoint_catches_a_late_refusal(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a rule ever fire after the first write, the route still undoes it."""
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    before = _counts(db)

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValidationFailed({"title": "Zu spät abgelehnt."})

    monkeypatch.setattr(search_index, "index_vorhaben", refuse)
    response = client.post(
        "/vorhaben/new", data={"csrf_token": token, "title": "Spät", "stage": "idee"}
    )
    assert response.status_code == 422 and "Zu spät abgelehnt." in response.text
    assert _counts(db) == before


# -- lessons learned ---------------------------------------------------------------------------


def test_ending_a_vorhaben_asks_for_lessons_once(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    vorhaben = factories.vorhaben(db, member, "Sensorik Parkplätze", stage="pilot")
    factories.login(client, db, member)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    asked = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data=_posted(vorhaben, db, token, stage="eingestellt", summary="Neu getippt"),
    )
    assert asked.status_code == 422
    html = asked.text
    assert "data-error-summary" in html and 'href="#field-lessons_learned"' in html
    assert 'id="prompt-lessons_learned"' in html
    assert 'aria-describedby="hint-lessons_learned prompt-lessons_learned"' in html
    assert 'value="save_without_lessons"' in html
    assert 'value="eingestellt" selected' in html and "Neu getippt</textarea>" in html
    db.expire_all()
    assert db.get(Vorhaben, vorhaben.id).stage is Stage.PILOT  # type: ignore[union-attr]

    skipped = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data=_posted(vorhaben, db, token, stage="eingestellt", action="save_without_lessons"),
    )
    assert skipped.status_code == 303
    db.expire_all()
    assert db.get(Vorhaben, vorhaben.id).stage is Stage.EINGESTELLT  # type: ignore[union-attr]


def test_lessons_given_or_no_final_stage_saves_at_once(client: TestClient, db: Session) -> None:
    member = factories.account(db)
    vorhaben = factories.vorhaben(db, member, "Digitale Bürgerbeteiligung", stage="betrieb")
    factories.login(client, db, member)
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    with_lessons = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data=_posted(
            vorhaben, db, token, stage="abgeschlossen", lessons_learned="Früh beteiligen."
        ),
    )
    assert with_lessons.status_code == 303
    db.expire_all()
    ended = db.get(Vorhaben, vorhaben.id)
    assert ended is not None and ended.stage is Stage.ABGESCHLOSSEN
    # A title edit on an ended Vorhaben does not ask again.
    again = client.post(
        f"/vorhaben/{vorhaben.id}/bearbeiten",
        data=_posted(ended, db, token, title="Bürgerbeteiligung online", lessons_learned=""),
    )
    assert again.status_code == 303


def test_creating_a_finished_vorhaben_asks_too(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    data = {"csrf_token": token, "title": "Fertiges Projekt", "stage": "abgeschlossen"}
    asked = client.post("/vorhaben/new", data=data)
    assert asked.status_code == 422 and 'id="prompt-lessons_learned"' in asked.text
    assert db.scalars(select(Vorhaben).where(Vorhaben.title == "Fertiges Projekt")).all() == []
    saved = client.post("/vorhaben/new", data={**data, "action": "save_without_lessons"})
    assert saved.status_code == 303


# -- the stage state machine -------------------------------------------------------------------


def test_every_stage_change_is_audited_with_its_transition(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Schulportal", stage="idee")
    for target in ("konzept", "idee", "eingestellt", "konzept"):
        form = service.form_from(service.get(db, author, vorhaben.id))
        form.stage = target
        form.lessons_learned = "Ohne Budget geht es nicht."
        service.update(db, settings, author, vorhaben.id, form)
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "vorhaben_stage_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [
        (event.details["from_stage"], event.details["to_stage"], event.details["transition"])
        for event in events
    ] == [
        ("idee", "konzept", "advance"),
        ("konzept", "idee", "step_back"),
        ("idee", "eingestellt", "stop"),
        ("eingestellt", "konzept", "revive"),
    ]
    assert {event.actor_id for event in events} == {author.id}
    assert {event.object_id for event in events} == {str(vorhaben.id)}
    timeline = [step.to_stage.value for step in service.timeline(db, vorhaben.id)]
    assert timeline == ["idee", "konzept", "idee", "eingestellt", "konzept"]


def test_a_refused_step_writes_neither_timeline_nor_audit(db: Session, settings: Settings) -> None:
    author = factories.account(db)
    vorhaben = factories.vorhaben(db, author, "Ratsinformationssystem", stage="idee")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.stage = "abgeschlossen"
    with pytest.raises(ValidationFailed) as caught:
        service.update(db, settings, author, vorhaben.id, form)
    assert "stage" in caught.value.errors
    assert [step.to_stage for step in service.timeline(db, vorhaben.id)] == [Stage.IDEE]
    assert db.scalars(select(AuditEvent.id)).all() == []


def test_the_transition_table_names_every_step() -> None:
    for current, targets in STAGE_TRANSITIONS.items():
        assert current not in targets
        for target, kind in targets.items():
            assert stages.transition(current, target) is kind
            assert (kind is Transition.COMPLETE) == (target is Stage.ABGESCHLOSSEN)
            assert (kind is Transition.STOP) == (target is Stage.EINGESTELLT)
            assert (kind is Transition.REVIVE) == current.is_final
    assert stages.next_stages(Stage.EINGESTELLT) == [Stage.IDEE, Stage.KONZEPT]


def test_absurdly_many_partners_or_contacts_are_refused_not_a_crash(
    client: TestClient, db: Session
) -> None:
    factories.login(client, db, factories.account(db))
    token = factories.csrf_token(client, "/vorhaben/new")
    many = [f"{number:08d}" for number in range(1, 900)]  # the form parser takes 1,000 fields
    for field, values in (("partner_municipalities", many), ("contacts", many)):
        response = client.post(
            "/vorhaben/new",
            data={"csrf_token": token, "title": "Viele", "stage": "idee", field: values},
        )
        assert response.status_code == 422, field
        assert f'href="#field-{field}"' in response.text and "Höchstens" in response.text
