"""The mention completion in a circle's topics (GET /kreise/{id}/erwaehnen) suggests only
the circle's active members: not someone outside it, not a pending join request, not a
member who left, not oneself; someone outside the circle gets a 404. The topic's comment
form offers it, and a mention posted there notifies."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles import service as circles
from app.circles.models import Circle, CircleMembership, MembershipState
from app.notifications.models import Notification, NotificationKind
from app.topics import service as topics
from tests import factories

HX = {"HX-Request": "true"}


@dataclass
class Scene:
    people: dict[str, Account]
    circle: Circle

    def __getitem__(self, name: str) -> Account:
        return self.people[name]


@pytest.fixture
def scene(db: Session) -> Scene:
    people = {
        name: factories.account(db, f"{name} Meier")
        for name in ("Lea", "Mia", "Tom", "Otto", "Anna")
    }
    circle = factories.circle(
        db, "Runde", moderators=[people["Lea"]], members=[people["Mia"], people["Tom"]]
    )
    db.add(
        CircleMembership(
            circle_id=circle.id, account_id=people["Anna"].id, state=MembershipState.REQUESTED
        )
    )
    db.flush()
    return Scene(people, circle)


def test_only_the_circles_active_members_are_suggested(
    client: TestClient, db: Session, scene: Scene
) -> None:
    circle = scene.circle
    circles.leave(db, scene["Tom"], circle)
    factories.login(client, db, scene["Lea"])
    listed = client.get(f"/kreise/{circle.id}/erwaehnen?q=meier", headers=HX)
    assert listed.status_code == 200
    assert 'data-mention-insert="@[Mia Meier](/mitglieder/' in listed.text
    for absent in ("Lea", "Tom", "Otto", "Anna"):
        assert f"{absent} Meier" not in listed.text, absent
    # Without JavaScript: a page that shows what to type, back to the circle.
    page = client.get(f"/kreise/{circle.id}/erwaehnen?q=mia")
    assert page.status_code == 200 and "<code>@[Mia Meier](/mitglieder/" in page.text
    assert f'href="/kreise/{circle.id}"' in page.text
    assert (
        "Niemand aus diesem Kreis gefunden."
        in client.get(f"/kreise/{circle.id}/erwaehnen?q=otto").text
    )


@pytest.mark.parametrize("who", ["Otto", "Anna", "Tom", "anonymous"])
def test_nobody_outside_the_circle_gets_suggestions(
    client: TestClient, db: Session, scene: Scene, who: str
) -> None:
    circle = scene.circle
    if who == "Tom":
        circles.leave(db, scene["Tom"], circle)
    if who != "anonymous":
        factories.login(client, db, scene[who])
    answer = client.get(f"/kreise/{circle.id}/erwaehnen?q=meier", follow_redirects=False)
    assert "Mia" not in answer.text
    if who == "anonymous":
        assert answer.headers["location"].startswith("/login")
    else:
        assert answer.status_code == 404


def test_the_topic_form_offers_the_circles_finder_and_a_mention_notifies(
    client: TestClient, db: Session, scene: Scene
) -> None:
    circle = scene.circle
    topic = topics.create(db, scene["Lea"], circle.id, "Ausbau", "Wer macht mit?")
    address = f"/kreise/{circle.id}/themen/{topic.id}"
    factories.login(client, db, scene["Lea"])
    page = client.get(address).text
    assert f'hx-get="/kreise/{circle.id}/erwaehnen"' in page
    assert "/vorhaben/" not in page.split('id="kommentare"')[1]
    token = factories.csrf_token(client, address)
    mia = scene["Mia"]
    posted = client.post(
        f"{address}/kommentare",
        data={"csrf_token": token, "body": f"Frage an @[Mia Meier](/mitglieder/{mia.id})"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    kinds = db.scalars(select(Notification.kind).where(Notification.account_id == mia.id))
    assert list(kinds) == [NotificationKind.MENTION]
