"""A queued mail about trust-space content leaves only if its receiver may still see that
content when the worker delivers it (issue 15, item 8).

Mails are rendered when they are queued; the worker may send them minutes or (after an
outage, with retries) days later. Whatever happened in between — the comment hidden or
deleted, the Vorhaben restricted, hidden or deleted, the receiver suspended or erased —
the worker `allmende worker --once` runs must not send what the receiver may no longer read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import worker as workers
from app.account import privacy
from app.accounts.models import MailMode
from app.circles import service as circles
from app.comments import service as comments
from app.comments import topic_comments
from app.config import Settings
from app.core import clock
from app.core.clock import BERLIN
from app.membership import accounts
from app.moderation import reports
from app.notifications import service as notifications
from app.notifications.delivery_check import still_meant_for
from app.outbox.models import DeliveryState, OutboxMessage
from app.topics import service as topics
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from tests import factories

TITLE = "Geheimes Gewerbegebiet"
COMMENT = "Der Kaufpreis liegt bei 4,2 Millionen Euro."


@dataclass
class Recorder:
    """A mailer that keeps what it was asked to send."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    def send(self, payload: dict[str, Any], message_key: str) -> None:
        self.sent.append(dict(payload))


@dataclass
class Scene:
    owner: factories.Account
    follower: factories.Account
    commenter: factories.Account
    moderator: factories.Account
    vorhaben: factories.Vorhaben


@pytest.fixture
def scene(db: Session) -> Scene:
    owner = factories.account(db, "Olga Owner")
    follower = factories.account(db, "Fritz Follower")
    commenter = factories.account(db, "Carla Commenter")
    moderator = factories.account(db, "Mona Moderator", role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, owner, TITLE, summary="Flächen für Ansiedlungen")
    cooperation.set_follow(db, follower, vorhaben.id, on=True)
    return Scene(owner, follower, commenter, moderator, vorhaben)


def _restrict(db: Session, settings: Settings, scene: Scene) -> None:
    form = vorhaben_service.form_from(vorhaben_service.get(db, scene.owner, scene.vorhaben.id))
    form.visibility = "municipality"
    vorhaben_service.update(db, settings, scene.owner, scene.vorhaben.id, form)


def _comment(db: Session, scene: Scene) -> factories.Comment:
    found = db.scalars(
        select(factories.Comment).where(factories.Comment.vorhaben_id == scene.vorhaben.id)
    ).first()
    assert found is not None
    return found


Change = Callable[[Session, Settings, Scene], None]

CHANGES: dict[str, Change] = {
    "comment hidden": lambda db, settings, scene: (
        reports.decide(
            db, settings, scene.moderator, "comment", _comment(db, scene).id, "hide", "Intern"
        ),
        None,
    )[1],
    "comment deleted": lambda db, settings, scene: (
        comments.delete(db, scene.commenter, _comment(db, scene).id),
        None,
    )[1],
    "vorhaben restricted": _restrict,
    "vorhaben hidden": lambda db, settings, scene: (
        reports.decide(
            db, settings, scene.moderator, "vorhaben", scene.vorhaben.id, "hide", "Intern"
        ),
        None,
    )[1],
    "vorhaben deleted": lambda db, settings, scene: vorhaben_service.delete_vorhaben(
        db, settings, scene.owner, scene.vorhaben.id
    ),
    "receiver suspended": lambda db, settings, scene: (
        accounts.suspend(db, settings, scene.moderator, scene.follower.id, "Gesperrt"),
        None,
    )[1],
    "receiver erased": lambda db, settings, scene: privacy.erase(
        db, settings, scene.follower, actor=scene.follower
    ),
}


def _deliver(settings: Settings, session_factory: sessionmaker[Session]) -> Recorder:
    """What `allmende worker --once` sends now."""
    recorder = Recorder()
    workers.build(settings, session_factory, mailer=recorder).run_once()
    return recorder


def _to(recorder: Recorder, address: str | None) -> list[dict[str, Any]]:
    return [payload for payload in recorder.sent if payload["to"] == address]


def _rows_to(db: Session, address: str | None) -> list[OutboxMessage]:
    db.expire_all()
    return [row for row in db.scalars(select(OutboxMessage)) if row.payload.get("to") == address]


def _shows_content(payload: dict[str, Any]) -> bool:
    return any(secret in str(payload) for secret in (TITLE, COMMENT))


def _assert_not_sent(db: Session, recorder: Recorder, address: str | None) -> None:
    # Mails about the receiver's own account (a suspension) still go; nothing about content.
    assert [mail["subject"] for mail in _to(recorder, address) if _shows_content(mail)] == []
    dropped = [row for row in _rows_to(db, address) if "about" in row.payload]
    for row in dropped:  # what stays in the outbox holds none of it either
        assert row.state is DeliveryState.DROPPED and not _shows_content(row.payload)


@pytest.mark.parametrize("change", list(CHANGES))
def test_an_immediate_mail_is_not_sent_once_its_receiver_may_no_longer_see_it(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    change: str,
) -> None:
    address = scene.follower.email
    factories.comment(db, scene.commenter, scene.vorhaben, COMMENT)
    [queued] = _rows_to(db, address)
    assert COMMENT in queued.payload["text"]  # rendered when queued
    CHANGES[change](db, settings, scene)
    db.flush()
    sent = _deliver(settings, session_factory)
    _assert_not_sent(db, sent, address)
    if change.startswith("comment"):  # then nobody but its author may read it
        assert not [mail for mail in sent.sent if COMMENT in mail["text"]]


def test_an_immediate_mail_whose_receiver_still_may_see_it_goes_out(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], scene: Scene
) -> None:
    factories.comment(db, scene.commenter, scene.vorhaben, COMMENT)
    [mail] = _to(_deliver(settings, session_factory), scene.follower.email)
    assert COMMENT in mail["text"] and TITLE in mail["subject"] + mail["text"]
    [row] = _rows_to(db, scene.follower.email)
    assert row.state is DeliveryState.DELIVERED


def _queue_digest(db: Session, settings: Settings, scene: Scene) -> None:
    """A digest reader's comment notification from yesterday, queued by this morning's run."""
    scene.follower.mail_mode = MailMode.DIGEST
    now = clock.utcnow()
    clock.travel(dt.timedelta(days=-1))
    factories.comment(db, scene.commenter, scene.vorhaben, COMMENT)
    clock.reset()
    # Today, a little after the digest hour, whatever the time the test runs.
    morning = dt.datetime.combine(now.astimezone(BERLIN).date(), dt.time(8), BERLIN)
    clock.travel(morning - now)
    assert notifications.send_digests(db, settings) == 1
    db.flush()


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_digest_is_not_sent_once_its_receiver_may_no_longer_see_what_it_lists(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    change: str,
) -> None:
    address = scene.follower.email
    _queue_digest(db, settings, scene)
    [queued] = _rows_to(db, address)
    assert TITLE in queued.payload["text"]
    CHANGES[change](db, settings, scene)
    db.flush()
    _assert_not_sent(db, _deliver(settings, session_factory), address)


def test_a_digest_whose_receiver_still_may_see_it_goes_out(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], scene: Scene
) -> None:
    _queue_digest(db, settings, scene)
    [mail] = _to(_deliver(settings, session_factory), scene.follower.email)
    assert TITLE in mail["text"]


@pytest.mark.parametrize("restricted", [True, False])
def test_a_reporter_is_told_the_outcome_only_while_the_vorhaben_is_shared_with_them(
    db: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    scene: Scene,
    restricted: bool,
) -> None:
    reporter = scene.follower
    reports.report(db, settings, reporter, "vorhaben", scene.vorhaben.id, "wrong", "Falsch")
    reports.decide(db, settings, scene.moderator, "vorhaben", scene.vorhaben.id, "dismiss", "")
    [queued] = _rows_to(db, reporter.email)
    assert TITLE in queued.payload["subject"]
    if restricted:
        _restrict(db, settings, scene)
        db.flush()
    sent = _to(_deliver(settings, session_factory), reporter.email)
    if restricted:
        _assert_not_sent(db, Recorder(sent), reporter.email)
    else:
        assert [mail["subject"] for mail in sent] == [queued.payload["subject"]]


def test_a_mail_about_a_topics_comment_leaves_only_while_the_receiver_is_in_the_circle(
    db: Session,
) -> None:
    """A mail naming a comment on a circle's topic is meant for the circle's members: one
    who left the circle (or was removed) before the worker sends it does not get it."""
    lead = factories.account(db, "Lea Lead")
    insider = factories.account(db, "Ines Insider")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[insider])
    topic = topics.create(db, lead, circle.id, "Thema", "Text")
    said = topic_comments.post(db, lead, topic.id, circle.id, "Neuer Stand")
    for_insider = {"account": insider.id, "comments": [said.id]}
    assert still_meant_for(db, for_insider)
    assert not still_meant_for(db, {"account": outsider.id, "comments": [said.id]})
    circles.leave(db, insider, circle)
    assert not still_meant_for(db, for_insider)
