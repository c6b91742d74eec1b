"""The mention completion (GET /vorhaben/{id}/erwaehnen) suggests only members who may see
the Vorhaben; a mention posted through the comment form notifies; its mail is checked
again when it leaves."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import worker as workers
from app.config import Settings
from app.moderation import reports
from app.notifications import mentions
from app.notifications.models import Notification, NotificationKind
from app.outbox.models import DeliveryState, OutboxMessage
from tests import factories

HX = {"HX-Request": "true"}


@pytest.fixture
def town(db: Session) -> factories.Municipality:
    return factories.municipality(db, "Eigenstadt")


def test_a_municipality_vorhaben_suggests_colleagues_only(
    client: TestClient, db: Session, town: factories.Municipality
) -> None:
    owner = factories.account(db, "Olga Meier", municipality=town)
    factories.account(db, "Anna Meier", municipality=town)
    factories.account(db, "Xaver Meier")  # another municipality
    factories.account(db, "Paul Meier", municipality=town, state=factories.AccountState.PENDING)
    inside = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    everyone = factories.vorhaben(db, owner, "Offen")
    factories.login(client, db, owner)
    listed = client.get(f"/vorhaben/{inside.id}/erwaehnen?q=meier", headers=HX)
    assert listed.status_code == 200
    assert "Anna Meier" in listed.text
    assert "Xaver" not in listed.text and "Paul" not in listed.text
    assert "Olga" not in listed.text  # not oneself
    assert 'data-mention-insert="@[Anna Meier](/mitglieder/' in listed.text
    wide = client.get(f"/vorhaben/{everyone.id}/erwaehnen?q=MEIER", headers=HX)
    assert "Anna Meier" in wide.text and "Xaver Meier" in wide.text and "Paul" not in wide.text
    # Without JavaScript: a page that shows what to type.
    page = client.get(f"/vorhaben/{inside.id}/erwaehnen?q=anna")
    assert page.status_code == 200 and "<code>@[Anna Meier](/mitglieder/" in page.text
    assert "Niemand gefunden" in client.get(f"/vorhaben/{inside.id}/erwaehnen?q=%25").text


def test_who_may_not_see_the_vorhaben_gets_no_suggestions(
    client: TestClient, db: Session, town: factories.Municipality
) -> None:
    owner = factories.account(db, "Olga Meier", municipality=town)
    factories.account(db, "Anna Meier", municipality=town)
    inside = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    url = f"/vorhaben/{inside.id}/erwaehnen?q=meier"
    anonymous = client.get(url, headers=HX, follow_redirects=False)
    # htmx is told to go to /login (HX-Redirect, no content); a plain request redirects.
    assert anonymous.status_code == 204 and "Anna" not in anonymous.text
    assert client.get(url, follow_redirects=False).headers["location"].startswith("/login")
    applicant = factories.account(db, "Antje", state=factories.AccountState.PENDING)
    factories.login(client, db, applicant)
    answer = client.get(url, headers=HX, follow_redirects=False)
    assert answer.status_code in (204, 303, 403) and "Anna" not in answer.text
    factories.login(client, db, factories.account(db, "Xaver"))
    outsider = client.get(url, headers=HX)
    assert outsider.status_code == 404 and "Anna" not in outsider.text


def test_hostile_names_are_suggested_as_text(client: TestClient, db: Session) -> None:
    owner = factories.account(db, "Olga")
    factories.account(db, '<b hx-get="/logout">Mallory</b>')
    vorhaben = factories.vorhaben(db, owner, "Offen")
    factories.login(client, db, owner)
    listed = client.get(f"/vorhaben/{vorhaben.id}/erwaehnen?q=mallory", headers=HX)
    assert "<b hx-get" not in listed.text and "&lt;b hx-get=&#34;/logout&#34;&gt;" in listed.text


def test_the_comment_form_offers_the_finder_and_a_mention_notifies(
    client: TestClient, db: Session
) -> None:
    owner = factories.account(db, "Olga")
    anna = factories.account(db, "Anna")
    vorhaben = factories.vorhaben(db, owner, "Offen")
    factories.login(client, db, owner)
    page = client.get(f"/vorhaben/{vorhaben.id}")
    assert "data-mention-finder hidden" in page.text and "js/mentions.js" in page.text
    assert f'href="/vorhaben/{vorhaben.id}/erwaehnen"' in page.text
    body = f"Was meinst du, {mentions.syntax('Anna', anna.id)}?"
    refused = client.post(f"/vorhaben/{vorhaben.id}/comments", data={"body": body})
    assert refused.status_code == 403
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    posted = client.post(
        f"/vorhaben/{vorhaben.id}/comments",
        data={"body": body, "csrf_token": token, "q": "an"},
        headers=HX,
    )
    assert posted.status_code == 200
    assert f'@<a href="/mitglieder/{anna.id}"' in posted.text
    kinds = db.scalars(select(Notification.kind).where(Notification.account_id == anna.id))
    assert list(kinds) == [NotificationKind.MENTION]
    factories.login(client, db, anna)
    assert (
        "Olga hat Sie in einem Kommentar zu „Offen“ erwähnt."
        in client.get("/benachrichtigungen").text
    )


def test_a_mention_mail_does_not_leave_once_the_comment_is_hidden(
    db: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    owner = factories.account(db, "Olga")
    anna = factories.account(db, "Anna")
    moderator = factories.account(db, "Mona", role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, owner, "Offen")
    comment = factories.comment(db, owner, vorhaben, f"Geheim, {mentions.syntax('Anna', anna.id)}")
    reports.decide(db, settings, moderator, "comment", comment.id, "hide", "Intern")
    db.flush()
    sent: list[dict[str, Any]] = []

    class Recorder:
        def send(self, payload: dict[str, Any], message_key: str) -> None:
            sent.append(payload)

    workers.build(settings, session_factory, mailer=Recorder()).run_once()
    assert [mail for mail in sent if mail["to"] == anna.email] == []
    db.expire_all()
    [row] = [
        row for row in db.scalars(select(OutboxMessage)) if row.payload.get("to") == anna.email
    ]
    assert row.state is DeliveryState.DROPPED
