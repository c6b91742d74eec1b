"""Signals with a message (issue 20, part 5): a short note and a link to one of the
signalling municipality's own Vorhaben; the owners read and answer it, the signaller hears
of the answer; nobody else reads the note, and it never leaves through the export."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.config import Settings
from app.core.errors import Forbidden, ValidationFailed
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben.models import Signal
from tests import factories, publishing

HX = {"HX-Request": "true"}
NOTE = "Wir planen das Gleiche für 2027 – Austausch im Januar?"


@dataclass
class Scene:
    owner: factories.Account
    signaller: factories.Account
    colleague: factories.Account
    third: factories.Account
    vorhaben: factories.Vorhaben
    own: factories.Vorhaben


@pytest.fixture
def scene(db: Session) -> Scene:
    home = factories.municipality(db, "Heimstadt")
    there = factories.municipality(db, "Dortstadt")
    owner = factories.account(db, "Olga", municipality=home)
    signaller = factories.account(db, "Sina", municipality=there)
    colleague = factories.account(db, "Kurt", municipality=there)
    third = factories.account(db, "Theo")
    vorhaben = factories.vorhaben(db, owner, "Bürgerportal")
    own = factories.vorhaben(db, signaller, "Unser Portal", visibility="municipality")
    return Scene(owner, signaller, colleague, third, vorhaben, own)


def _signal_form(client: TestClient, scene: Scene, **fields: str) -> dict[str, str]:
    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben.id}")
    return {"csrf_token": token, "kind": "doing_too", "action": "add", **fields}


@pytest.mark.commits
def test_a_note_reaches_the_owners_and_their_answer_the_signaller(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.signaller)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}")
    assert "Mit Nachricht (freiwillig)" in page.text
    # Its own Vorhaben are read when the form opens: htmx fetches the choices, without
    # JavaScript a link leads to the form on a page of its own.
    option = f'<option value="{scene.own.id}">Unser Portal</option>'
    url = f"/vorhaben/{scene.vorhaben.id}/signale"
    assert option not in page.text and f'href="{url}?art=doing_too"' in page.text
    choices = client.get(f"{url}?art=doing_too", headers=HX)
    assert option in choices.text and "<h1" not in choices.text
    alone = client.get(f"{url}?art=doing_too")
    assert option in alone.text and 'name="note"' in alone.text and "<h1" in alone.text
    given = client.post(
        url, data=_signal_form(client, scene, note=NOTE, linked=str(scene.own.id)), headers=HX
    )
    assert given.status_code == 200 and NOTE in given.text
    signal = db.scalars(select(Signal)).one()
    assert signal.note == NOTE and signal.linked_vorhaben_id == scene.own.id
    # The owners read the note; the linked Vorhaben is restricted to Dortstadt: no title.
    factories.login(client, db, scene.owner)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}")
    assert NOTE in page.text and "Nachricht von Sina" in page.text
    assert "Unser Portal" not in page.text
    # A third municipality sees that Dortstadt signalled, not what it wrote.
    factories.login(client, db, scene.third)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}")
    assert "Dortstadt" in page.text and NOTE not in page.text
    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben.id}")
    answered = client.post(
        f"/signale/{signal.id}/antwort", data={"csrf_token": token, "reply": "X"}
    )
    assert answered.status_code == 403
    # The owners answer: without a token refused, then with it.
    factories.login(client, db, scene.owner)
    reply_url = f"/signale/{signal.id}/antwort"
    assert client.post(reply_url, data={"reply": "Gern!"}).status_code == 403
    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben.id}")
    empty = client.post(reply_url, data={"csrf_token": token, "reply": "  "}, headers=HX)
    assert empty.status_code == 422 and "Bitte schreiben Sie eine Antwort." in empty.text
    done = client.post(reply_url, data={"csrf_token": token, "reply": "Gern, im Januar!"})
    assert done.status_code == 303
    kinds = db.scalars(
        select(Notification.kind).where(Notification.account_id == scene.signaller.id)
    )
    assert list(kinds) == [NotificationKind.SIGNAL_REPLY]
    mails = [
        payload
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload.get("to") == scene.signaller.email
    ]
    assert len(mails) == 1 and "Gern, im Januar!" in mails[0]["text"]
    # The signaller's colleague reads the conversation on the Vorhaben page, too.
    factories.login(client, db, scene.colleague)
    page = client.get(f"/vorhaben/{scene.vorhaben.id}")
    assert NOTE in page.text and "Gern, im Januar!" in page.text
    assert "Unser Portal" in page.text  # their own Vorhaben: they may see it
    factories.login(client, db, scene.signaller)
    listed = client.get("/benachrichtigungen").text
    assert "hat auf das Signal Ihrer Kommune zu „Bürgerportal“ geantwortet" in listed
    assert "Gern, im Januar!" in listed


@pytest.mark.commits
def test_a_note_that_does_not_fit_comes_back_with_what_was_typed(
    client: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.signaller)
    url = f"/vorhaben/{scene.vorhaben.id}/signale"
    long_note = "Ä" * 501
    inline = client.post(url, data=_signal_form(client, scene, note=long_note), headers=HX)
    assert inline.status_code == 422 and long_note in inline.text
    plain = client.post(url, data=_signal_form(client, scene, note=long_note + "<b>"))
    assert plain.status_code == 422 and "&lt;b&gt;" in plain.text and "<h1" in plain.text
    foreign = factories.vorhaben(db, scene.owner, "Fremdes Vorhaben")
    wrong = client.post(url, data=_signal_form(client, scene, note="Hallo", linked=str(foreign.id)))
    assert wrong.status_code == 422 and "Wählen Sie ein Vorhaben Ihrer Kommune." in wrong.text
    assert f'<option value="{scene.own.id}">Unser Portal</option>' in wrong.text  # to choose
    assert db.scalars(select(Signal)).all() == []
    assert client.post(url, data=_signal_form(client, scene, linked="x' or 1=1")).status_code == 303


def test_the_signal_form_is_for_other_municipalities_and_known_signals(
    client: TestClient, db: Session, scene: Scene
) -> None:
    url = f"/vorhaben/{scene.vorhaben.id}/signale"
    factories.login(client, db, scene.owner)
    assert client.get(f"{url}?art=interested").status_code == 403  # their own Vorhaben
    factories.login(client, db, scene.signaller)
    assert client.get(f"{url}?art=nonsense").status_code == 404
    hidden = f"/vorhaben/{scene.own.id}/signale?art=interested"
    factories.login(client, db, scene.third)  # Dortstadt's own Vorhaben: not visible
    assert client.get(hidden).status_code == 404


def test_only_the_owning_municipality_answers(
    db: Session, settings: Settings, scene: Scene
) -> None:
    assert cooperation.set_signal(
        db, settings, scene.signaller, scene.vorhaben.id, "interested", on=True, note=NOTE
    )
    signal = db.scalars(select(Signal)).one()
    told = [
        payload["text"]
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload.get("to") == scene.owner.email
    ]
    assert len(told) == 1 and NOTE in told[0]  # the owners' mail carries the note
    for stranger in (scene.signaller, scene.third):
        with pytest.raises(Forbidden):
            cooperation.answer(db, settings, stranger, signal.id, "Von außen")
    with pytest.raises(ValidationFailed):
        cooperation.answer(db, settings, scene.owner, signal.id, "x" * 501)
    cooperation.answer(db, settings, scene.owner, signal.id, "Danke!")
    assert signal.reply == "Danke!" and signal.replied_by_id == scene.owner.id


def test_erasure_pseudonymizes_the_note_and_the_export_never_carries_it(
    db: Session, settings: Settings, client: TestClient, scene: Scene
) -> None:
    cooperation.set_signal(
        db, settings, scene.signaller, scene.vorhaben.id, "doing_too", on=True, note=NOTE
    )
    privacy.erase(db, settings, scene.signaller, actor=scene.signaller)
    [view] = cooperation.signals_of(db, scene.vorhaben.id, scene.owner)
    assert view.note == NOTE and view.signaller == "Ehemaliges Mitglied"
    assert "Sina" not in repr(view)
    # The export: a published project carries no word of a signal's note.
    publishing.publish(db, settings, publishing.Scene(scene.owner, _moderator(db), scene.vorhaben))
    body = client.get("/api/v1/projects").text
    assert "Bürgerportal" in body or "Digitaler Bauantrag" in body
    assert NOTE not in body and "note" not in body


def _moderator(db: Session) -> factories.Account:
    return factories.account(db, "Mara", role=factories.Role.MODERATOR)
