"""The report form and the moderators' queue, end to end through the pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories


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
    assert "0800" not in page
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
