"""Alerts on circles (issue 20, part 4): an active member follows a circle and hears of new
Vorhaben and stage changes in it; nobody else can follow it, and who leaves hears nothing
more (the fan-out's visibility check). The circle page offers "Folgen" to its members."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.circles import service as circles
from app.config import Settings
from app.core.errors import NotFound
from app.notifications import alerts
from app.notifications.models import AlertKind, Notification, NotificationKind
from app.vorhaben import service as vorhaben_service
from tests import factories


def _kinds(db: Session, account: factories.Account) -> list[NotificationKind]:
    db.expire_all()
    return list(
        db.scalars(
            select(Notification.kind)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    )


def _stage(db: Session, settings: Settings, author: factories.Account, vorhaben_id: int) -> None:
    form = vorhaben_service.form_from(vorhaben_service.get(db, author, vorhaben_id))
    form.stage = "konzept"
    vorhaben_service.update(db, settings, author, vorhaben_id, form)


def test_a_circle_member_hears_of_new_vorhaben_and_stage_changes_until_leaving(
    db: Session, settings: Settings
) -> None:
    author = factories.account(db, "Anna Autorin")
    follower = factories.account(db, "Fritz Folgt")
    other_member = factories.account(db, "Nora Nichtfolgend")
    circle = factories.circle(db, moderators=[author], members=[follower, other_member])
    other = factories.circle(db, "Anderer Kreis", moderators=[author])
    alerts.follow(db, follower, AlertKind.CIRCLE, str(circle.id))

    factories.vorhaben(db, author, "Im anderen Kreis", visibility=f"circle:{other.id}")
    factories.vorhaben(db, author, "Für alle")  # not in the circle: not this alert
    assert _kinds(db, follower) == []
    inside = factories.vorhaben(db, author, "Im Kreis", visibility=f"circle:{circle.id}")
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW]
    _stage(db, settings, author, inside.id)
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE]
    assert _kinds(db, other_member) == []  # members hear only what they follow

    circles.leave(db, follower, circle)
    later = factories.vorhaben(db, author, "Später im Kreis", visibility=f"circle:{circle.id}")
    _stage(db, settings, author, later.id)
    _stage(db, settings, author, inside.id)  # already "konzept": a no-op, still nothing
    assert _kinds(db, follower) == [NotificationKind.ALERT_NEW, NotificationKind.ALERT_STAGE]


def test_only_active_members_can_follow_a_circle(db: Session) -> None:
    lead = factories.account(db, "Lea Leitung")
    outsider = factories.account(db, "Olaf Außen")
    circle = factories.circle(db, moderators=[lead])
    hidden = factories.circle(db, "Geheimer Kreis", moderators=[lead], listed=False)
    for key in (str(circle.id), str(hidden.id), "999999", "x"):
        with pytest.raises(NotFound):
            alerts.follow(db, outsider, AlertKind.CIRCLE, key)
    # An unlisted circle's name never shows to a non-member, not even when unfollowing.
    assert "Geheim" not in alerts.label_of(db, outsider, AlertKind.CIRCLE, str(hidden.id))

    alerts.follow(db, lead, AlertKind.CIRCLE, str(hidden.id))
    shown = alerts.alerts_of(db, lead)
    assert [(item.kind, item.label) for item in shown] == [(AlertKind.CIRCLE, "Geheimer Kreis")]


def test_the_circle_page_offers_follow_to_members_only(
    client: TestClient, db: Session, settings: Settings
) -> None:
    member = factories.account(db, "Mia Mitglied")
    outsider = factories.account(db, "Olaf Außen")
    circle = factories.circle(db, "CDO-Netzwerk", members=[member])
    page = f"/kreise/{circle.id}"

    factories.login(client, db, outsider)
    assert 'name="kind" value="circle"' not in client.get(page).text

    factories.login(client, db, member)
    html = client.get(page).text
    assert 'name="kind" value="circle"' in html and "Folgen: CDO-Netzwerk" in html
    token = factories.csrf_token(client, page)
    response = client.post(
        "/benachrichtigungen/themen",
        data={"csrf_token": token, "kind": "circle", "key": str(circle.id), "next": page},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == page
    assert alerts.is_following(db, member, AlertKind.CIRCLE, str(circle.id))
    html = client.get(page).text
    assert re.search(r'action="/benachrichtigungen/themen/entfernen"', html)

    # An outsider's POST is refused without a trace.
    factories.login(client, db, outsider)
    token = factories.csrf_token(client, "/benachrichtigungen/themen")
    refused = client.post(
        "/benachrichtigungen/themen",
        data={"csrf_token": token, "kind": "circle", "key": str(circle.id)},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert not alerts.is_following(db, outsider, AlertKind.CIRCLE, str(circle.id))
