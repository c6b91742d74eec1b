"""The report form and the moderators' queue, end to end through the pages."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.moderation.models import Report
from tests import factories

pytestmark = pytest.mark.commits


def test_a_moderator_handles_a_report_end_to_end(
    client: TestClient, app: FastAPI, db: Session
) -> None:
    author = factories.account(db, "Anja")
    vorhaben = factories.vorhaben(db, author, "Fragwürdiges Angebot")
    comment = factories.comment(db, author, vorhaben, "Rufen Sie 0800 an!")
    reporter = factories.account(db, "Ria")
    factories.login(client, db, reporter)
    form = client.get(f"/kommentare/{comment.id}/melden")
    assert form.status_code == 200 and "Rufen Sie 0800 an!" in form.text
    token = factories.csrf_token(client, f"/kommentare/{comment.id}/melden")
    missing = client.post(
        f"/kommentare/{comment.id}/melden", data={"csrf_token": token, "text": "Werbung!"}
    )
    assert missing.status_code == 422 and "Werbung!" in missing.text
    filed = client.post(
        f"/kommentare/{comment.id}/melden",
        data={"csrf_token": token, "category": "spam", "text": "Werbung!"},
    )
    assert filed.status_code == 303 and filed.headers["location"].endswith(
        f"#kommentar-{comment.id}"
    )

    moderator = factories.account(db, "Mara", role=factories.Role.MODERATOR)
    with TestClient(app, follow_redirects=False) as mod:
        factories.login(mod, db, moderator)
        queue = mod.get("/moderation/reports").text
        assert "Fragwürdiges Angebot" in queue and "Werbung oder Spam" in queue
        detail = mod.get(f"/moderation/reports/comment/{comment.id}").text
        assert "Rufen Sie 0800 an!" in detail and "Werbung!" in detail
        mod_token = factories.csrf_token(mod, "/moderation")
        no_reason = mod.post(
            f"/moderation/reports/comment/{comment.id}",
            data={"csrf_token": mod_token, "action": "hide"},
        )
        assert no_reason.status_code == 422
        hidden = mod.post(
            f"/moderation/reports/comment/{comment.id}",
            data={"csrf_token": mod_token, "action": "hide", "reason": "Werbung ist nicht erlaubt"},
        )
        assert hidden.status_code == 303
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "Rufen Sie 0800 an!" not in page  # a generated AGS may hold "0800"
    factories.login(client, db, author)
    own = client.get(f"/vorhaben/{vorhaben.id}").text
    assert "0800" in own and "Werbung ist nicht erlaubt" in own
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben.id}")
    asked = client.post(
        f"/kommentare/{comment.id}/ueberpruefung",
        data={"csrf_token": token, "text": "War ein Versehen"},
    )
    assert asked.status_code == 303
    again = client.post(f"/kommentare/{comment.id}/ueberpruefung", data={"csrf_token": token})
    assert again.status_code == 409


def test_members_cannot_reach_the_queue(client: TestClient, db: Session) -> None:
    factories.login(client, db, factories.account(db))
    assert client.get("/moderation/reports").status_code == 403


def test_a_bad_category_comes_back_with_the_text_and_an_error_at_the_field(
    client: TestClient, db: Session
) -> None:
    vorhaben = factories.vorhaben(db, factories.account(db), "Ein Vorhaben")
    factories.login(client, db, factories.account(db))
    path = f"/vorhaben/{vorhaben.id}/melden"
    token = factories.csrf_token(client, path)
    for category, text in (
        ("x" * 5000, "Mein ausführlicher Grund"),  # far longer than any category
        ("spam\u202e", "Mit Steuerzeichen im Grund"),
        ("spam", "Zu lang " + "x" * 2001),
    ):
        page = client.post(path, data={"csrf_token": token, "category": category, "text": text})
        assert page.status_code == 422, category[:10]
        assert f'<form method="post" action="{path}"' in page.text  # the form, not an error page
        assert text[:2000] in page.text
        if category == "spam":
            assert 'id="error-text"' in page.text
            assert 'value="spam" checked' in page.text  # the chosen category stays chosen
        else:
            assert 'id="error-category"' in page.text

    assert db.scalars(select(Report)).all() == []


def test_a_refused_decision_keeps_the_measure_and_the_reason(
    client: TestClient, db: Session
) -> None:
    vorhaben = factories.vorhaben(db, factories.account(db), "Sichtbares Vorhaben")
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    factories.login(client, db, moderator)
    path = f"/moderation/reports/vorhaben/{vorhaben.id}"
    token = factories.csrf_token(client, path)
    for action, status in (("restore", 422), ("x" * 500, 422)):
        page = client.post(
            path, data={"csrf_token": token, "action": action, "reason": "Meine Notiz 42"}
        )
        assert page.status_code == status
        assert "Meine Notiz 42" in page.text and 'id="error-action"' in page.text
    assert (
        'value="restore" checked'
        in client.post(path, data={"csrf_token": token, "action": "restore", "reason": "x"}).text
    )


def test_a_moderator_cannot_decide_about_own_content_through_the_page(
    client: TestClient, db: Session
) -> None:
    moderator = factories.account(
        db, role=factories.Role.MODERATOR, municipality=factories.municipality(db, "Modstadt")
    )
    own = factories.vorhaben(db, moderator, "Mein eigenes Vorhaben")
    factories.login(client, db, moderator)
    path = f"/moderation/reports/vorhaben/{own.id}"
    page = client.get(path)
    assert "Das ist Ihr eigener Beitrag" in page.text and 'name="action"' not in page.text
    token = factories.csrf_token(client, path)
    refused = client.post(path, data={"csrf_token": token, "action": "hide", "reason": "Ich"})
    assert refused.status_code == 403
    db.refresh(own)
    assert own.hidden_at is None
