"""Comments on a circle's topics get the Vorhaben comments' machinery: reports and the
moderators' decisions, the author's edit and delete, paging of a long discussion, the
lasting address /kommentare/{n}; and none of it reaches anyone outside the circle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit.models import AuditEvent
from app.circles import service as circles
from app.circles.models import Circle, CircleMembership, CircleRole, MembershipState, Topic
from app.comments import service as comment_service
from app.comments import topic_comments
from app.comments.models import Comment
from app.comments.threads import PAGE_THREADS
from app.config import Settings
from app.core.errors import ValidationFailed
from app.moderation import reports
from app.moderation.models import Report, ReportState
from app.notifications import topics as topic_notifications
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.topics import service as topics
from tests import factories

SECRET = "Geheime Ausbauzahlen"
TITLE = "Glasfaserrunde"


def _words(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@dataclass
class Scene:
    circle: Circle
    topic: Topic
    comment: Comment
    author: Account
    reporter: Account
    outsider: Account
    moderator: Account  # the association's, not in the circle


@pytest.fixture
def scene(db: Session) -> Scene:
    author = factories.account(db, "Anja Autorin")
    reporter = factories.account(db, "Ria Meldend")
    outsider = factories.account(db, "Otto Draußen")
    moderator = factories.account(db, "Mara Moderation", role=factories.Role.MODERATOR)
    circle = factories.circle(db, "Breitbandkreis", moderators=[author], members=[reporter])
    topic = topics.create(db, author, circle.id, TITLE, "Worum es geht")
    comment = topic_comments.post(db, author, topic.id, circle.id, SECRET)
    return Scene(circle, topic, comment, author, reporter, outsider, moderator)


@pytest.fixture
def mod(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as other:
        yield other


def _topic_url(scene: Scene) -> str:
    return f"/kreise/{scene.circle.id}/themen/{scene.topic.id}"


def test_a_member_reports_a_topic_comment_and_a_moderator_hides_it(
    client: TestClient, mod: TestClient, db: Session, scene: Scene
) -> None:
    factories.login(client, db, scene.reporter)
    page = client.get(_topic_url(scene)).text
    assert f'href="/kommentare/{scene.comment.id}/melden"' in page
    form = client.get(f"/kommentare/{scene.comment.id}/melden")
    assert form.status_code == 200
    assert SECRET in form.text and TITLE in form.text and "Breitbandkreis" in form.text
    token = factories.csrf_token(client, _topic_url(scene))
    missing = client.post(
        f"/kommentare/{scene.comment.id}/melden", data={"csrf_token": token, "text": "Intern!"}
    )
    assert missing.status_code == 422 and "Intern!" in missing.text
    filed = client.post(
        f"/kommentare/{scene.comment.id}/melden",
        data={"csrf_token": token, "category": "confidential", "text": "Intern!"},
    )
    assert filed.status_code == 303
    assert filed.headers["location"] == f"{_topic_url(scene)}#kommentar-{scene.comment.id}"
    report = db.scalars(select(Report)).one()
    assert report.target_id == scene.comment.id and report.vorhaben_id is None

    factories.login(mod, db, scene.moderator)
    queue = mod.get("/moderation/reports")
    assert queue.status_code == 200
    # Not in the circle: the queue names no title, the decision page shows it, audited.
    assert TITLE not in queue.text and "Eingeschränkt sichtbarer Kommentar" in queue.text
    assert f'href="/moderation/reports/comment/{scene.comment.id}"' in queue.text
    detail = mod.get(f"/moderation/reports/comment/{scene.comment.id}")
    assert detail.status_code == 200
    assert SECRET in detail.text and TITLE in detail.text and "Breitbandkreis" in detail.text
    assert "Intern!" in detail.text
    assert 'value="lock"' not in detail.text  # a topic's discussion has nothing to close
    viewed = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "restricted_content_viewed")
    ).one()
    assert viewed.object_type == "comment" and viewed.object_id == str(scene.comment.id)
    mod_token = factories.csrf_token(mod, "/moderation")
    hidden = mod.post(
        f"/moderation/reports/comment/{scene.comment.id}",
        data={"csrf_token": mod_token, "action": "hide", "reason": "Vertraulich"},
    )
    assert hidden.status_code == 303
    db.expire_all()
    assert scene.comment.hidden_at is not None
    assert db.scalars(select(Report)).one().state is ReportState.ACTIONED
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "content_hidden")).one()
    assert event.subject_id == scene.author.id and event.reason == "Vertraulich"
    audit_log = mod.get("/moderation/audit").text
    assert "Beitrag ausgeblendet" in audit_log

    # The members see it as hidden, as on a Vorhaben; its author sees why.
    page = client.get(_topic_url(scene)).text
    assert SECRET not in page and "von der Moderation ausgeblendet" in page
    factories.login(client, db, scene.author)
    own = client.get(_topic_url(scene)).text
    assert SECRET in own and "nur Sie sehen diesen Kommentar" in own and "Vertraulich" in own
    # The author and the reporter are told by mail.
    mails = [row.payload for row in db.scalars(select(OutboxMessage))]
    assert any(m["to"] == scene.author.email and TITLE in m["text"] for m in mails)
    assert any(m["to"] == scene.reporter.email and TITLE in m["text"] for m in mails)


def test_a_circle_member_moderator_dismisses_and_cannot_lock(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    moderator = factories.account(db, "Moni", role=factories.Role.MODERATOR)
    _join(db, scene.circle, moderator)
    reports.report(db, settings, scene.reporter, "comment", scene.comment.id, "wrong", "")
    factories.login(client, db, moderator)
    queue = client.get("/moderation/reports").text
    assert f"Kommentar zum Thema „{TITLE}“ im Kreis „Breitbandkreis“" in queue
    detail = client.get(f"/moderation/reports/comment/{scene.comment.id}").text
    assert SECRET in detail and TITLE in detail
    assert not db.scalars(
        select(AuditEvent).where(AuditEvent.action == "restricted_content_viewed")
    ).all()  # a member of the circle reads it as any member
    with pytest.raises(ValidationFailed):
        reports.decide(db, settings, moderator, "comment", scene.comment.id, "lock", "")
    reports.decide(db, settings, moderator, "comment", scene.comment.id, "dismiss", "Passt")
    db.expire_all()
    assert db.scalars(select(Report)).one().state is ReportState.DISMISSED
    assert scene.comment.hidden_at is None
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "reports_dismissed")).one()


def _join(db: Session, circle: Circle, who: Account) -> None:
    db.add(
        CircleMembership(
            circle_id=circle.id,
            account_id=who.id,
            role=CircleRole.MEMBER,
            state=MembershipState.ACTIVE,
        )
    )
    db.flush()


def test_the_author_asks_for_review_of_a_hidden_topic_comment(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    reports.report(db, settings, scene.reporter, "comment", scene.comment.id, "spam", "")
    reports.decide(db, settings, scene.moderator, "comment", scene.comment.id, "hide", "Spam")
    factories.login(client, db, scene.author)
    token = factories.csrf_token(client, _topic_url(scene))
    asked = client.post(
        f"/kommentare/{scene.comment.id}/ueberpruefung",
        data={"csrf_token": token, "text": "Bitte noch einmal"},
    )
    assert asked.status_code == 303
    assert asked.headers["location"] == f"{_topic_url(scene)}#kommentar-{scene.comment.id}"
    db.expire_all()
    assert scene.comment.review_requested_at is not None
    factories.login(client, db, scene.moderator)
    queue = client.get("/moderation/reports").text
    assert "Bitten um Überprüfung" in queue
    assert f'href="/moderation/reports/comment/{scene.comment.id}"' in queue


@pytest.mark.parametrize("who", ["outsider", "former", "applicant", "anonymous", "member"])
def test_nothing_of_a_topic_comment_reaches_anyone_outside_the_circle(
    client: TestClient, db: Session, settings: Settings, scene: Scene, who: str
) -> None:
    applicant = factories.account(db, "Anton Antrag", state=factories.AccountState.PENDING)
    factories.application(db, applicant, factories.municipality(db, "Antragstadt"))
    reports.report(db, settings, scene.reporter, "comment", scene.comment.id, "spam", "")
    n = scene.comment.id
    reads = [
        f"/kommentare/{n}",
        f"/kommentare/{n}/melden",
        f"/kommentare/{n}/bearbeiten",
        f"/kommentare/{n}/verlauf",
        f"/moderation/reports/comment/{n}",
        f"{_topic_url(scene)}?bis={n}",
        "/moderation/reports",
    ]
    writes = [
        (f"/kommentare/{n}/melden", {"category": "spam", "text": ""}),
        (f"/kommentare/{n}/bearbeiten", {"body": "Übernommen"}),
        (f"/kommentare/{n}/loeschen", {}),
        (f"/kommentare/{n}/ueberpruefung", {"text": "x"}),
        (f"/moderation/reports/comment/{n}", {"action": "hide", "reason": "x"}),
    ]
    if who == "former":
        _join(db, scene.circle, scene.outsider)
        circles.leave(db, scene.outsider, scene.circle)
    person = {"outsider": scene.outsider, "former": scene.outsider, "applicant": applicant}
    if who == "member":  # of another circle: a plain member elsewhere
        person["member"] = factories.account(db, "Mia Mitglied")
        factories.circle(db, "Anderer Kreis", members=[person["member"]])
    token = ""
    if who != "anonymous":
        factories.login(client, db, person[who])
        token = factories.csrf_token(
            client, "/kreise" if who != "applicant" else "/membership/status"
        )
    for path in reads:
        response = client.get(path)
        assert SECRET not in response.text and TITLE not in _words(response.text), path
        if who == "anonymous":
            assert response.status_code in (302, 303), path
        elif path == "/moderation/reports":
            assert response.status_code in (302, 303, 403), path
        else:
            assert response.status_code in (302, 303, 403, 404), path
            if who != "applicant" and not path.startswith("/moderation"):
                assert response.status_code == 404, (path, who)
    for path, data in writes:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code in (302, 303, 403, 404), (path, who)
        assert SECRET not in response.text and TITLE not in _words(response.text), path
    db.expire_all()
    assert scene.comment.body == SECRET and scene.comment.deleted_at is None
    assert scene.comment.hidden_at is None and scene.comment.review_requested_at is None
    assert db.scalars(select(Report)).one().reporter_id == scene.reporter.id


def test_the_author_edits_and_deletes_a_topic_comment(
    client: TestClient, db: Session, scene: Scene
) -> None:
    n = scene.comment.id
    factories.login(client, db, scene.reporter)
    assert client.get(f"/kommentare/{n}/bearbeiten").status_code == 403
    token = factories.csrf_token(client, _topic_url(scene))
    assert client.post(f"/kommentare/{n}/loeschen", data={"csrf_token": token}).status_code == 403
    factories.login(client, db, scene.author)
    page = client.get(_topic_url(scene)).text
    assert f'href="/kommentare/{n}/bearbeiten"' in page
    form = client.get(f"/kommentare/{n}/bearbeiten")
    assert form.status_code == 200 and SECRET in form.text and TITLE in form.text
    token = factories.csrf_token(client, _topic_url(scene))
    empty = client.post(f"/kommentare/{n}/bearbeiten", data={"csrf_token": token, "body": " "})
    assert empty.status_code == 422 and "Bitte schreiben Sie einen Kommentar." in empty.text
    saved = client.post(
        f"/kommentare/{n}/bearbeiten", data={"csrf_token": token, "body": "Neue Fassung"}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{_topic_url(scene)}#kommentar-{n}"
    page = client.get(_topic_url(scene)).text
    assert "Neue Fassung" in page and f'href="/kommentare/{n}/verlauf"' in page
    history = client.get(f"/kommentare/{n}/verlauf")
    assert history.status_code == 200 and SECRET in history.text and TITLE in history.text
    # In place (htmx): the edit form, then the comment again.
    inline = client.get(f"/kommentare/{n}/bearbeiten", headers={"HX-Request": "true"})
    assert inline.status_code == 200 and 'hx-post="/kommentare/' in inline.text
    back = client.get(f"/kommentare/{n}", headers={"HX-Request": "true"})
    assert back.status_code == 200 and "Neue Fassung" in back.text
    gone = client.post(
        f"/kommentare/{n}/loeschen", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert gone.status_code == 200 and "Dieser Kommentar wurde gelöscht." in gone.text
    assert f'action="{_topic_url(scene)}/kommentare"' in gone.text
    db.refresh(scene.comment)
    assert scene.comment.deleted_at is not None and scene.comment.body == ""
    page = client.get(_topic_url(scene)).text
    assert "Neue Fassung" not in page and "Dieser Kommentar wurde gelöscht." in page
    # The author deleted it themselves: no audit event (as on a Vorhaben).
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "comment_deleted")).all()


def test_members_an_edit_names_for_the_first_time_hear_of_it(
    db: Session, settings: Settings, scene: Scene
) -> None:
    third = factories.account(db, "Tina Dritte")
    _join(db, scene.circle, third)
    named = f"@[Ria](/mitglieder/{scene.reporter.id}) und @[Otto](/mitglieder/{scene.outsider.id})"
    comment_service.edit(db, scene.author, scene.comment.id, named, settings=settings)
    comment_service.edit(
        db,
        scene.author,
        scene.comment.id,
        f"{named} @[Tina](/mitglieder/{third.id})",
        settings=settings,
    )
    told = [(row.account_id, row.kind) for row in db.scalars(select(Notification))]
    # Each once, at the edit that named them; never the outsider, who cannot see the topic.
    assert sorted(told) == sorted(
        [(scene.reporter.id, NotificationKind.MENTION), (third.id, NotificationKind.MENTION)]
    )


def test_a_moderator_in_the_circle_deletes_a_topic_comment_audited(
    client: TestClient, db: Session, scene: Scene
) -> None:
    moderator = factories.account(db, "Moni", role=factories.Role.MODERATOR)
    _join(db, scene.circle, moderator)
    factories.login(client, db, moderator)
    token = factories.csrf_token(client, _topic_url(scene))
    gone = client.post(
        f"/kommentare/{scene.comment.id}/loeschen",
        data={"csrf_token": token, "reason": "Doppelt"},
    )
    assert gone.status_code == 303
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "comment_deleted")).one()
    assert event.details == {"topic_id": scene.topic.id}
    assert event.subject_id == scene.author.id


def test_a_long_topic_is_paged_as_a_vorhaben_discussion(
    client: TestClient, db: Session, scene: Scene
) -> None:
    extra = [
        topic_comments.post(db, scene.reporter, scene.topic.id, scene.circle.id, f"Beitrag {i}")
        for i in range(PAGE_THREADS + 4)
    ]
    # One statement orders by time, then id: give them distinct times as posted.
    first = scene.comment.created_at
    for i, comment in enumerate(extra, start=1):
        comment.created_at = first + dt.timedelta(seconds=i)
    db.flush()
    newest = extra[-PAGE_THREADS:]
    cursor = extra[-PAGE_THREADS - 1].id
    factories.login(client, db, scene.reporter)
    page = client.get(_topic_url(scene)).text
    assert f'id="kommentar-{newest[0].id}"' in page
    assert f'id="kommentar-{scene.comment.id}"' not in page
    older = f"{_topic_url(scene)}?bis={cursor}"
    assert f'href="{older}#kommentare"' in page
    shown = client.get(older)
    assert shown.status_code == 200
    assert f'id="kommentar-{scene.comment.id}"' in shown.text and TITLE in shown.text
    assert f'id="kommentar-{newest[0].id}"' not in shown.text
    # htmx: that page's threads in place of the control.
    inline = client.get(older, headers={"HX-Request": "true"})
    assert inline.status_code == 200 and "<html" not in inline.text
    assert f'id="kommentar-{scene.comment.id}"' in inline.text
    # The lasting address leads to the page that holds the comment (the page up to its
    # thread, as on a Vorhaben).
    found = client.get(f"/kommentare/{scene.comment.id}")
    assert found.status_code == 303
    n = scene.comment.id
    assert found.headers["location"] == f"{_topic_url(scene)}?bis={n}#kommentar-{n}"
    assert f'id="kommentar-{n}"' in client.get(found.headers["location"]).text
    latest = client.get(f"/kommentare/{newest[-1].id}")
    assert latest.headers["location"] == f"{_topic_url(scene)}#kommentar-{newest[-1].id}"
    assert client.get(f"{_topic_url(scene)}?bis=999999").status_code == 404


def test_notifications_of_an_old_topic_comment_lead_to_its_page(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    extra = [
        topic_comments.post(db, scene.reporter, scene.topic.id, scene.circle.id, f"Beitrag {i}")
        for i in range(PAGE_THREADS + 1)
    ]
    for i, comment in enumerate(extra, start=1):
        comment.created_at = scene.comment.created_at + dt.timedelta(seconds=i)
    db.flush()
    old = extra[0]  # pushed off the topic page by the PAGE_THREADS after it
    topic_notifications.commented(db, settings, scene.topic, old, scene.reporter)
    mail = db.scalars(select(OutboxMessage)).one()
    assert f"/kommentare/{old.id}" in mail.payload["text"]  # lasting: it redirects
    factories.login(client, db, scene.author)
    listed = client.get("/benachrichtigungen").text
    assert f'href="{_topic_url(scene)}?bis={old.id}#kommentar-{old.id}"' in listed
