"""A member who changes municipality (issue 19, part 4) gets nothing more about the old
municipality's restricted Vorhaben: mails queued before the decision are not delivered,
and the in-app notifications about it are gone; a colleague who stayed still gets them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import worker as workers
from app.config import Settings
from app.membership import changes
from app.outbox.models import DeliveryState, OutboxMessage
from app.vorhaben import cooperation
from tests import factories

TITLE = "Geheimes Gewerbegebiet"
COMMENT = "Der Kaufpreis liegt bei 4,2 Millionen Euro."


@dataclass
class Recorder:
    """A mailer that keeps what it was asked to send."""

    sent: list[dict[str, Any]]

    def send(self, payload: dict[str, Any], message_key: str) -> None:
        self.sent.append(dict(payload))


def _to(recorder: Recorder, address: str | None) -> list[dict[str, Any]]:
    return [payload for payload in recorder.sent if payload["to"] == address]


@pytest.mark.parametrize("how", ["request approved", "moved by a moderator"])
def test_mails_and_notifications_about_the_old_municipality_stop_at_the_move(
    client: TestClient,
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    how: str,
) -> None:
    kiel = factories.municipality(db, "Kiel")
    luebeck = factories.municipality(db, "Lübeck")
    owner = factories.account(db, "Olga Owner", municipality=kiel)
    mover = factories.account(db, "Mia Mover", municipality=kiel)
    stayer = factories.account(db, "Sven Stayer", municipality=kiel)
    moderator = factories.account(db, "Mara Moser", role=factories.Role.MODERATOR)
    secret = factories.vorhaben(db, owner, TITLE, visibility="municipality")
    for follower in (mover, stayer):
        cooperation.set_follow(db, follower, secret.id, on=True)
    factories.comment(db, owner, secret, COMMENT)
    db.flush()
    queued = [
        row for row in db.scalars(select(OutboxMessage)) if row.payload.get("to") == mover.email
    ]
    assert queued and COMMENT in queued[0].payload["text"]  # rendered when queued
    factories.login(client, db, mover)
    assert TITLE in client.get("/benachrichtigungen").text  # before the move

    if how == "request approved":
        change = changes.request_change(
            db, mover, changes.ChangeForm(municipality_ags=luebeck.ags, reason="Neue Stelle")
        )
        changes.decide(db, settings, moderator, change.id, "approve", "")
    else:
        changes.change_directly(db, settings, moderator, mover.id, luebeck.ags, "", "Umzug")
    db.flush()

    recorder = Recorder([])
    workers.build(settings, session_factory, mailer=recorder).run_once()
    assert [mail for mail in _to(recorder, mover.email) if TITLE in str(mail)] == []
    db.expire_all()
    about_it = [
        row
        for row in db.scalars(select(OutboxMessage))
        if row.payload.get("to") == mover.email and "about" in row.payload
    ]
    assert about_it and all(row.state is DeliveryState.DROPPED for row in about_it)
    # The colleague who stayed still gets it (the check is not simply dropping everything).
    [mail] = [mail for mail in _to(recorder, stayer.email) if COMMENT in mail["text"]]
    assert TITLE in mail["subject"] + mail["text"]
    # In the app, too: the notification about it is gone for the one who moved.
    page = client.get("/benachrichtigungen")
    assert page.status_code == 200 and TITLE not in page.text
