"""Alerts (issue 20, part 4): followers of a field, tag, municipality, Land or Kreis hear of
new Vorhaben and stage changes there: once each, never of their own doing, never of what
they may not see; immediate mails come from the worker, the digest lists new Vorhaben."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import worker as workers
from app.account import privacy
from app.accounts.models import MailMode
from app.config import Settings
from app.core import clock
from app.core.errors import NotFound
from app.municipalities.models import Level
from app.notifications import alert_fanout, alerts
from app.notifications import service as notifications
from app.notifications.models import AlertKind, Notification, NotificationKind
from app.outbox.models import DeliveryState, OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import FieldOfAction
from tests import factories

TITLE = "Sensoren im Abfallbehälter"
# The kinds any Vorhaben matches (circles: tests/notifications/test_circle_alerts.py).
PLACE_KINDS = [kind for kind in AlertKind if kind is not AlertKind.CIRCLE]


@dataclass
class Place:
    land: factories.Municipality
    kreis: factories.Municipality
    town: factories.Municipality
    author: factories.Account

    def key(self, db: Session, kind: AlertKind) -> str:
        return {
            AlertKind.FIELD: str(_field_id(db, "abfall")),
            AlertKind.TAG: "Open Data",
            AlertKind.MUNICIPALITY: str(self.town.id),
            AlertKind.LAND: str(self.land.id),
            AlertKind.KREIS: str(self.kreis.id),
        }[kind]


def _field_id(db: Session, slug: str) -> int:
    return db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == slug)).one()


@pytest.fixture
def place(db: Session) -> Place:
    land = factories.municipality(db, "Alertland", level=Level.LAND, kind_code=None)
    kreis = factories.municipality(db, "Landkreis Alert", level=Level.KREIS, land=land)
    town = factories.municipality(db, "Alertstadt", land=land, kreis=kreis)
    return Place(land, kreis, town, factories.account(db, "Anna Autorin", municipality=town))


def _kinds(db: Session, account: factories.Account) -> list[NotificationKind]:
    return list(
        db.scalars(
            select(Notification.kind)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    )


def _new(db: Session, place: Place, **options: Any) -> factories.Vorhaben:
    return factories.vorhaben(
        db, place.author, TITLE, fields=["abfall"], tags="Open Data, Sensorik", **options
    )


def _move(db: Session, settings: Settings, place: Place, vorhaben_id: int, **changes: str) -> None:
    form = vorhaben_service.form_from(vorhaben_service.get(db, place.author, vorhaben_id))
    for name, value in changes.items():
        setattr(form, name, value)
    vorhaben_service.update(db, settings, place.author, vorhaben_id, form)


def _mails(db: Session, account: factories.Account) -> list[dict[str, Any]]:
    db.expire_all()
    return [
        row.payload
        for row in db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if row.payload.get("to") == account.email
    ]


@pytest.mark.parametrize("kind", PLACE_KINDS)
def test_followers_of_each_kind_hear_of_new_vorhaben_and_stage_changes(
    db: Session, settings: Settings, place: Place, kind: AlertKind
) -> None:
    follower = factories.account(db, "Fritz Folgt")
    bystander = factories.account(db, "Bernd Nebenan")
    alerts.follow(db, follower, kind, place.key(db, kind))
    # Something that matches none of it: another field, tag and place.
    factories.vorhaben(db, factories.account(db), "Anderswo", fields=["bildung"], tags="Schule")
    assert _kinds(db, follower) == []
    vorhaben = _new(db, place)
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW]
    _move(db, settings, place, vorhaben.id, stage="konzept")
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE]
    assert _kinds(db, bystander) == []
    page = notifications.page(db, follower)
    assert [item.vorhaben_title for item in page.items] == [TITLE, TITLE]


def test_one_notification_for_whoever_follows_several_matching_things(
    db: Session, settings: Settings, place: Place
) -> None:
    follower = factories.account(db, "Fritz Folgt")
    for kind in PLACE_KINDS:
        alerts.follow(db, follower, kind, place.key(db, kind))
    vorhaben = _new(db, place)
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW]
    # Who also follows the Vorhaben itself hears of its stage once, as its follower.
    cooperation.set_follow(db, follower, vorhaben.id, on=True)
    _move(db, settings, place, vorhaben.id, stage="konzept")
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW, NotificationKind.STAGE]


def test_nobody_hears_of_their_own_vorhaben(db: Session, settings: Settings, place: Place) -> None:
    colleague = factories.account(db, "Kai Kollege", municipality=place.town)
    for person in (place.author, colleague):
        alerts.follow(db, person, AlertKind.MUNICIPALITY, str(place.town.id))
    vorhaben = _new(db, place)
    _move(db, settings, place, vorhaben.id, stage="konzept")
    assert _kinds(db, place.author) == []
    assert _kinds(db, colleague) == [NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE]


def test_only_members_who_may_see_the_vorhaben_hear_of_it(
    db: Session, settings: Settings, place: Place
) -> None:
    """A Vorhaben restricted to its municipality never alerts another municipality's
    follower; suspended members hear nothing either."""
    colleague = factories.account(db, "Kai Kollege", municipality=place.town)
    outsider = factories.account(db, "Olaf Außen")
    suspended = factories.account(db, "Sven Gesperrt", state=factories.AccountState.SUSPENDED)
    for person in (colleague, outsider, suspended):
        alerts.follow(db, person, AlertKind.FIELD, place.key(db, AlertKind.FIELD))
        alerts.follow(db, person, AlertKind.LAND, str(place.land.id))
    internal = _new(db, place, visibility="municipality")
    _move(db, settings, place, internal.id, stage="konzept")
    assert _kinds(db, colleague) == [NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE]
    assert _kinds(db, outsider) == []
    assert _kinds(db, suspended) == []


def test_immediate_mails_come_from_the_worker_in_batches(
    db: Session, settings: Settings, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers = [factories.account(db, f"Iris {number}") for number in range(3)]
    quiet = factories.account(db, "Dora Digest")
    quiet.mail_mode = MailMode.DIGEST
    for person in (*readers, quiet):
        alerts.follow(db, person, AlertKind.TAG, "open data")
    _new(db, place)
    assert all(_mails(db, person) == [] for person in (*readers, quiet))  # not in the request
    monkeypatch.setattr(alert_fanout, "MAIL_BATCH", 2)
    assert alert_fanout.send_mails(db, settings) == 2
    assert alert_fanout.send_mails(db, settings) == 1
    assert alert_fanout.send_mails(db, settings) == 0
    for person in readers:
        [mail] = _mails(db, person)
        assert TITLE in mail["subject"] and "Alertstadt" in mail["text"]
    assert _mails(db, quiet) == []
    assert any(job.run is alert_fanout.send_mails for job in workers.JOBS)


def test_a_pending_alert_mail_is_dropped_once_the_vorhaben_is_restricted(
    db: Session, settings: Settings, session_factory: sessionmaker[Session], place: Place
) -> None:
    outsider = factories.account(db, "Olaf Außen")
    colleague = factories.account(db, "Kai Kollege", municipality=place.town)
    for person in (outsider, colleague):
        alerts.follow(db, person, AlertKind.KREIS, str(place.kreis.id))
    vorhaben = _new(db, place)
    assert alert_fanout.send_mails(db, settings) == 2
    _move(db, settings, place, vorhaben.id, visibility="municipality")
    db.flush()
    workers.build(settings, session_factory, jobs=()).deliver_due()
    db.expire_all()
    states = {
        row.payload["to"]: row.state
        for row in db.scalars(select(OutboxMessage))
        if "about" in row.payload
    }
    assert states[outsider.email] is DeliveryState.DROPPED
    assert states[colleague.email] is DeliveryState.DELIVERED


def test_a_restricted_vorhaben_is_not_mailed_by_the_job_either(
    db: Session, settings: Settings, place: Place
) -> None:
    outsider = factories.account(db, "Olaf Außen")
    alerts.follow(db, outsider, AlertKind.KREIS, str(place.kreis.id))
    vorhaben = _new(db, place)
    _move(db, settings, place, vorhaben.id, visibility="municipality")
    assert alert_fanout.send_mails(db, settings) == 0
    assert notifications.unread_count(db, outsider) == 0


def test_the_digest_lists_new_vorhaben_in_followed_topics(
    db: Session, settings: Settings, place: Place
) -> None:
    reader = factories.account(db, "Dora Digest")
    reader.mail_mode = MailMode.DIGEST
    alerts.follow(db, reader, AlertKind.FIELD, "abfall")  # the list filter's slug
    _new(db, place)
    assert alert_fanout.send_mails(db, settings) == 0
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert notifications.send_digests(db, settings) == 1
    [digest] = _mails(db, reader)
    assert "Neue Vorhaben in Themen, denen Sie folgen" in digest["text"]
    assert TITLE in digest["text"] and TITLE in digest["html"]


def test_what_one_can_follow_and_the_list_of_it(db: Session, place: Place) -> None:
    member = factories.account(db, "Mia Mitglied")
    with pytest.raises(NotFound):
        alerts.follow(db, member, AlertKind.LAND, str(place.town.id))  # a Gemeinde is no Land
    with pytest.raises(NotFound):
        alerts.follow(db, member, AlertKind.FIELD, "gibt-es-nicht")
    with pytest.raises(NotFound):
        alerts.follow(db, member, AlertKind.TAG, " # ")
    with pytest.raises(NotFound):
        alerts.parse_kind("kreisverband")
    alerts.follow(db, member, AlertKind.TAG, "#Open Data")
    alerts.follow(db, member, AlertKind.TAG, "open data")  # again: nothing changes
    alerts.follow(db, member, AlertKind.KREIS, str(place.kreis.id))
    shown = alerts.alerts_of(db, member)
    assert [(item.kind, item.label) for item in shown] == [
        (AlertKind.TAG, "#open data"),
        (AlertKind.KREIS, place.kreis.display_name),
    ]
    alerts.unfollow(db, member, AlertKind.TAG, "open data")
    alerts.unfollow(db, member, AlertKind.TAG, "never followed")
    assert [item.kind for item in alerts.alerts_of(db, member)] == [AlertKind.KREIS]


def test_alerts_are_in_the_data_export_and_gone_with_the_account(
    db: Session, settings: Settings, place: Place
) -> None:
    member = factories.account(db, "Mia Mitglied")
    alerts.follow(db, member, AlertKind.KREIS, str(place.kreis.id))
    exported = privacy.export(db, member)["alerts"]
    assert [(row["kind"], row["key"]) for row in exported] == [("kreis", str(place.kreis.id))]
    privacy.erase(db, settings, member, actor=member)
    assert alerts.alerts_of(db, member) == []
    _new(db, place)
    assert _kinds(db, member) == []
