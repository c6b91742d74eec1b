"""Notifications about dates: a new or changed date tells those who follow its owner (a
Vorhaben's followers; a circle's active members for its own and its topics' dates), in the
app and in the daily digest; never the one who entered it, never someone who may not see
it, and nothing more once they left the circle (rechecked when shown, when the digest is
made and when it leaves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, MailMode
from app.circles import service as circles
from app.circles.models import Circle, CircleMembership, MembershipState, Topic
from app.config import Settings
from app.core import clock
from app.dates import service as dates
from app.dates.forms import TerminForm
from app.dates.models import Termin
from app.municipalities.models import Municipality
from app.notifications import service
from app.notifications.delivery_check import still_meant_for
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.topics import service as topics
from app.vorhaben.models import Follow
from tests import factories


@dataclass
class Scene:
    lead: Account
    member: Account
    asking: Account
    outsider: Account
    circle: Circle
    topic: Topic


@pytest.fixture
def scene(db: Session) -> Scene:
    lead = factories.account(db, "Lea Lead")
    member = factories.account(db, "Mia Mitglied")
    asking = factories.account(db, "Anna Anfrage")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[member])
    db.add(
        CircleMembership(circle_id=circle.id, account_id=asking.id, state=MembershipState.REQUESTED)
    )
    topic = topics.create(db, member, circle.id, "Ausbau", "Wann treffen wir uns?")
    return Scene(lead, member, asking, outsider, circle, topic)


def _kinds(db: Session, account: Account) -> list[tuple[NotificationKind, int | None]]:
    return [
        (row.kind, row.termin_id)
        for row in db.scalars(
            select(Notification)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    ]


def _form(title: str) -> TerminForm:
    return TerminForm(title=title, start_date="2027-06-10", start_time="10:00")


def test_a_circles_date_tells_its_members_but_not_its_author_or_outsiders(
    client: TestClient, db: Session, scene: Scene
) -> None:
    owner = dates.owner(db, scene.lead, circle_id=scene.circle.id)
    termin = dates.add_to(db, scene.lead, owner, _form("Kreistreffen"))
    assert _kinds(db, scene.member) == [(NotificationKind.TERMIN_NEW, termin.id)]
    assert _kinds(db, scene.lead) == []
    assert _kinds(db, scene.asking) == [] and _kinds(db, scene.outsider) == []
    # A change while the first is unread adds nothing; once read, a change tells again.
    dates.change(db, scene.lead, termin.id, _form("Kreistreffen, verschoben"))
    assert len(_kinds(db, scene.member)) == 1
    service.mark_read(db, scene.member)
    dates.change(db, scene.lead, termin.id, _form("Kreistreffen, neu verschoben"))
    assert _kinds(db, scene.member)[-1] == (NotificationKind.TERMIN_CHANGED, termin.id)
    # In the app: what, by whom, where, and the link to the date.
    factories.login(client, db, scene.member)
    page = client.get("/benachrichtigungen").text
    assert "Lea Lead hat einen Termin geändert: „Kreistreffen, neu verschoben“ (Runde)." in page
    assert f'href="/kreise/{scene.circle.id}#termin-{termin.id}"' in page
    assert service.unread_count(db, scene.member) == 1
    # After leaving the circle, none of it shows any more.
    circles.leave(db, scene.member, scene.circle)
    page = client.get("/benachrichtigungen").text
    assert "Kreistreffen" not in page
    assert service.unread_count(db, scene.member) == 0


def test_a_topics_date_tells_the_circles_members(
    client: TestClient, db: Session, scene: Scene
) -> None:
    owner = dates.owner(db, scene.member, topic_id=scene.topic.id)
    termin = dates.add_to(db, scene.member, owner, _form("Themenfrist"))
    assert _kinds(db, scene.lead) == [(NotificationKind.TERMIN_NEW, termin.id)]
    assert _kinds(db, scene.member) == [] and _kinds(db, scene.asking) == []
    factories.login(client, db, scene.lead)
    page = client.get("/benachrichtigungen").text
    assert "Mia Mitglied hat einen Termin eingetragen: „Themenfrist“ (Ausbau)." in page
    path = f"/kreise/{scene.circle.id}/themen/{scene.topic.id}#termin-{termin.id}"
    assert f'href="{path}"' in page
    # Deleting the date takes its notifications with it.
    dates.delete(db, scene.member, termin.id)
    assert _kinds(db, scene.lead) == []


def test_a_vorhabens_date_tells_its_followers_who_may_see_it(db: Session) -> None:
    owner = factories.account(db, "Olga Owner")
    town = db.get(Municipality, owner.municipality_id)
    colleague = factories.account(db, "Kai Kollege", municipality=town)
    stranger = factories.account(db, "Sven Stranger")
    vorhaben = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    for follower in (colleague, stranger):  # the author follows already
        db.add(Follow(account_id=follower.id, vorhaben_id=vorhaben.id))
    db.flush()
    termin = dates.add(db, owner, vorhaben.id, _form("Abstimmung"))
    assert _kinds(db, colleague) == [(NotificationKind.TERMIN_NEW, termin.id)]
    # Not the one who entered it, not a follower who may not see the Vorhaben.
    assert _kinds(db, owner) == [] and _kinds(db, stranger) == []


def _mails_to(db: Session, account: Account) -> list[OutboxMessage]:
    return [row for row in db.scalars(select(OutboxMessage)) if row.payload["to"] == account.email]


def test_the_digest_lists_the_dates_and_rechecks_the_circle_when_it_leaves(
    db: Session, settings: Settings, scene: Scene
) -> None:
    third = factories.account(db, "Tom Dritter")
    db.add(
        CircleMembership(
            circle_id=scene.circle.id, account_id=third.id, state=MembershipState.ACTIVE
        )
    )
    for member in (scene.member, scene.lead, third):
        member.mail_mode = MailMode.DIGEST
    db.flush()
    owner = dates.owner(db, scene.lead, circle_id=scene.circle.id)
    circle_date = dates.add_to(db, scene.lead, owner, _form("Kreistreffen"))
    on_topic = dates.owner(db, scene.member, topic_id=scene.topic.id)
    dates.add_to(db, scene.member, on_topic, _form("Themenfrist"))
    # Who left before the digest is made gets none about the circle.
    circles.leave(db, third, scene.circle)
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert service.send_digests(db, settings) == 2
    assert _mails_to(db, third) == []
    [digest] = _mails_to(db, scene.member)
    text = digest.payload["text"]
    assert "Neue und geänderte Termine:" in text
    assert "Kreistreffen (Runde): " in text
    assert f"/kreise/{scene.circle.id}#termin-{circle_date.id}" in text
    [lead_digest] = _mails_to(db, scene.lead)
    assert "Themenfrist (Ausbau): " in lead_digest.payload["text"]
    assert still_meant_for(db, digest.payload["about"])
    # Who leaves after the digest was made: it does not leave for them.
    circles.leave(db, scene.member, scene.circle)
    assert not still_meant_for(db, digest.payload["about"])
    assert db.scalars(select(Termin)).all()  # the dates themselves stay
