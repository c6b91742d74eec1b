"""Notifications about a circle's topics: the topic's author and everyone who commented on
it hear of a new comment, in the app (the list and the header's count) and by mail or in
the digest; never its own author, and never someone who left the circle."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, MailMode
from app.circles import service as circles
from app.circles.models import Circle, Topic
from app.comments.models import Comment
from app.config import Settings
from app.core import clock
from app.notifications import mentions, service
from app.notifications.delivery_check import still_meant_for
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.topics import service as topics
from tests import factories

TITLE = "Datenstrategie"


@dataclass
class Scene:
    lead: Account
    insider: Account
    third: Account
    outsider: Account
    circle: Circle
    topic: Topic

    @property
    def address(self) -> str:
        return f"/kreise/{self.circle.id}/themen/{self.topic.id}"


@pytest.fixture
def scene(db: Session) -> Scene:
    lead = factories.account(db, "Lea Lead")
    insider = factories.account(db, "Ines Insider")
    third = factories.account(db, "Mia Mitglied")
    outsider = factories.account(db, "Otto Outsider")
    circle = factories.circle(db, "Runde", moderators=[lead], members=[insider, third])
    topic = topics.create(db, lead, circle.id, TITLE, "Wer macht mit?")
    return Scene(lead, insider, third, outsider, circle, topic)


def _comment(client: TestClient, db: Session, scene: Scene, author: Account, text: str) -> int:
    factories.login(client, db, author)
    token = factories.csrf_token(client, scene.address)
    posted = client.post(
        f"{scene.address}/kommentare",
        data={"csrf_token": token, "body": text},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    return int(posted.headers["location"].rsplit("-", 1)[1])


def _notified(db: Session, account: Account) -> list[int | None]:
    return list(
        db.scalars(
            select(Notification.comment_id)
            .where(Notification.account_id == account.id)
            .order_by(Notification.id)
        )
    )


def _header_count(page: str) -> str | None:
    """The unread count the header shows next to „Benachrichtigungen“."""
    found = re.search(
        r'href="/benachrichtigungen"[^>]*>[^<]*<span class="badge-count">'
        r'<span class="visually-hidden">\(</span>(\d+)<',
        page,
    )
    return found.group(1) if found else None


def _mails_to(db: Session, account: Account) -> list[OutboxMessage]:
    return [row for row in db.scalars(select(OutboxMessage)) if row.payload["to"] == account.email]


def test_followers_hear_of_a_comment_on_a_topic_until_they_leave_the_circle(
    client: TestClient, db: Session, scene: Scene
) -> None:
    first = _comment(client, db, scene, scene.insider, "Ich mache mit.")
    # The topic's author hears of it; the commenter and the silent member do not.
    assert _notified(db, scene.lead) == [first]
    assert _notified(db, scene.insider) == [] and _notified(db, scene.third) == []
    second = _comment(client, db, scene, scene.third, "Ich auch.")
    # Whoever commented follows the topic now.
    assert _notified(db, scene.lead) == [first, second]
    assert _notified(db, scene.insider) == [second]
    assert _notified(db, scene.third) == [] and _notified(db, scene.outsider) == []
    # By mail at once (the default), naming the topic and its circle, leading to the comment.
    [mail, _] = _mails_to(db, scene.lead)
    assert mail.payload["subject"] == f"Neuer Kommentar im Thema: {TITLE}"
    assert (
        f"Ines Insider hat im Thema „{TITLE}“ im Kreis „Runde“ kommentiert:"
        in (mail.payload["text"])
    )
    # The lasting address: it leads to the page of the topic that holds the comment.
    assert f"/kommentare/{first}" in mail.payload["text"]
    assert still_meant_for(db, mail.payload["about"])
    # In the app: the list, its link to the comment, and the header's count.
    factories.login(client, db, scene.insider)
    page = client.get("/benachrichtigungen").text
    assert f"Mia Mitglied hat im Thema „{TITLE}“ im Kreis „Runde“ kommentiert." in page
    assert f'href="{scene.address}#kommentar-{second}"' in page
    assert _header_count(page) == "1"
    assert service.unread_count(db, scene.insider) == 1
    # After leaving the circle: nothing of it shows, and its mail does not leave.
    [insider_mail] = _mails_to(db, scene.insider)
    circles.leave(db, scene.insider, scene.circle)
    page = client.get("/benachrichtigungen").text
    assert TITLE not in page and _header_count(page) is None
    assert service.unread_count(db, scene.insider) == 0
    assert not still_meant_for(db, insider_mail.payload["about"])
    # And a new comment no longer reaches them, though they commented before.
    third = _comment(client, db, scene, scene.lead, "Danke euch.")
    assert _notified(db, scene.insider) == [second]
    assert _notified(db, scene.third) == [third]
    assert _notified(db, scene.lead) == [first, second]


def test_the_digest_names_the_topic_and_its_circle(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    for member in (scene.lead, scene.insider):
        member.mail_mode = MailMode.DIGEST
    db.flush()
    _comment(client, db, scene, scene.insider, "Ich mache mit.")
    _comment(client, db, scene, scene.third, "Ich auch.")
    assert _mails_to(db, scene.lead) == [] and _mails_to(db, scene.insider) == []
    # The insider leaves before the digest: they get none about the circle's topic.
    circles.leave(db, scene.insider, scene.circle)
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert service.send_digests(db, settings) == 1
    [digest] = _mails_to(db, scene.lead)
    text = digest.payload["text"]
    assert "2 Neuigkeiten" in digest.payload["subject"]
    assert f"{TITLE} (im Kreis „Runde“; 2 Neuigkeiten)" in text
    assert scene.address in text
    assert still_meant_for(db, digest.payload["about"])
    assert _mails_to(db, scene.insider) == []
    assert service.send_digests(db, settings) == 0


def test_a_topics_notification_goes_with_its_topic(db: Session, scene: Scene) -> None:
    """Deleting a topic (or its circle) takes its notifications along (ON DELETE CASCADE)."""
    comment = Comment(topic_id=scene.topic.id, author_id=scene.insider.id, body="x", body_html="x")
    db.add(comment)
    db.flush()
    db.add(Notification(account_id=scene.lead.id, kind="comment", topic_id=scene.topic.id))
    db.flush()
    assert service.unread_count(db, scene.lead) == 1
    db.delete(scene.topic)
    db.flush()
    db.expire_all()
    assert (
        db.scalars(select(Notification).where(Notification.account_id == scene.lead.id)).all() == []
    )


def test_whom_a_topics_comment_names_hears_of_it_if_in_the_circle(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    text = (
        f"Frage an {mentions.syntax('Mia Mitglied', scene.third.id)} "
        f"und {mentions.syntax('Otto Outsider', scene.outsider.id)}"
    )
    said = _comment(client, db, scene, scene.insider, text)
    kinds = {
        account.id: list(
            db.scalars(select(Notification.kind).where(Notification.account_id == account.id))
        )
        for account in (scene.lead, scene.insider, scene.third, scene.outsider)
    }
    # The named member hears of the mention (only), the author of the topic of the comment;
    # someone outside the circle, though named, hears of nothing.
    assert kinds == {
        scene.lead.id: [NotificationKind.COMMENT],
        scene.insider.id: [],
        scene.third.id: [NotificationKind.MENTION],
        scene.outsider.id: [],
    }
    [mail] = _mails_to(db, scene.third)
    assert mail.payload["subject"] == f"Sie wurden erwähnt: {TITLE}"
    assert _mails_to(db, scene.outsider) == []
    factories.login(client, db, scene.third)
    page = client.get("/benachrichtigungen").text
    assert (
        f"Ines Insider hat Sie in einem Kommentar im Thema „{TITLE}“ im Kreis „Runde“ erwähnt."
        in page
    )
    assert f'href="{scene.address}#kommentar-{said}"' in page
    # Erasure takes the named member's name out of the topic's comment as well.
    privacy.erase(db, settings, scene.third, actor=scene.third)
    comment = db.get(Comment, said)
    assert comment is not None
    db.refresh(comment)
    assert "Mia" not in comment.body and "Mia" not in comment.body_html
