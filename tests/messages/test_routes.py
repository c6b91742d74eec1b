"""Direct messages in the browser's terms: forms that work without JavaScript, keep what
was typed, answer 404 to everyone outside a conversation, and the header's unread count."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Role
from app.audit.models import AuditEvent
from app.config import Settings
from app.messages import moderation, service
from app.messages.models import Message
from app.vorhaben.models import VorhabenContact
from tests import factories

pytestmark = pytest.mark.commits

SECRET = "Streng vertraulich 7319"


def _badge(page: str) -> str | None:
    match = re.search(
        r'href="/nachrichten"[^>]*>Nachrichten <span class="badge-count">'
        r'<span class="visually-hidden">\(</span>(\d+)',
        page,
    )
    return match.group(1) if match else None


def test_start_from_a_profile_reply_and_the_header_count(client: TestClient, db: Session) -> None:
    anna = factories.account(db, "Anna Schreiber")
    ben = factories.account(db, "Ben Leser")
    factories.login(client, db, anna)
    profile = client.get(f"/mitglieder/{ben.id}")
    assert f'href="/nachrichten/neu?an={ben.id}"' in profile.text
    form = client.get(f"/nachrichten/neu?an={ben.id}")
    assert form.status_code == 200
    assert f'name="an" value="{ben.id}" checked' in form.text and "Ben Leser" in form.text
    token = factories.csrf_token(client, "/nachrichten")
    sent = client.post(
        "/nachrichten/neu", data={"csrf_token": token, "an": [str(ben.id)], "body": "Hallo *Ben*"}
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    conversation_id = int(re.findall(r"/nachrichten/(\d+)", location)[0])
    assert "<em>Ben</em>" in client.get(location).text
    # Ben sees one unread message in the header, on every page, then reads it.
    factories.login(client, db, ben)
    assert _badge(client.get("/").text) == "1"
    listing = client.get("/nachrichten")
    assert "Anna Schreiber" in listing.text and "Neu:" in listing.text
    page = client.get(f"/nachrichten/{conversation_id}")
    assert "Hallo" in page.text and "Melden" in page.text
    assert _badge(page.text) is None  # the page that read it no longer counts it
    assert _badge(client.get("/").text) is None
    token = factories.csrf_token(client, "/nachrichten")
    answered = client.post(
        f"/nachrichten/{conversation_id}", data={"csrf_token": token, "body": "Hallo Anna"}
    )
    assert answered.status_code == 303
    assert "#nachricht-" in answered.headers["location"]
    factories.login(client, db, anna)
    assert _badge(client.get("/nachrichten").text) == "1"


def test_links_from_a_comment_author_and_a_vorhaben_contact(
    client: TestClient, db: Session
) -> None:
    reader = factories.account(db, "Rita")
    author = factories.account(db, "Karl Kontakt")
    vorhaben = factories.vorhaben(db, author, "Kontaktvorhaben")
    factories.comment(db, author, vorhaben, "Fragen Sie mich")
    db.add(VorhabenContact(vorhaben_id=vorhaben.id, account_id=author.id))
    db.flush()
    factories.login(client, db, reader)
    page = client.get(f"/vorhaben/{vorhaben.id}")
    assert page.text.count(f'href="/nachrichten/neu?an={author.id}"') == 2


def test_forms_keep_what_was_typed(client: TestClient, db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben Bleibt")
    factories.login(client, db, anna)
    token = factories.csrf_token(client, "/nachrichten")
    # A NUL is refused at the door (app.web.guard), like everywhere: 400, never a 500.
    nul = client.post(
        "/nachrichten/neu", data={"csrf_token": token, "an": str(ben.id), "body": "a\x00b"}
    )
    assert nul.status_code == 400
    cases = [
        ([str(ben.id)], "Text mit \u202e Umkehrung bleibt", "body"),
        ([str(ben.id)], "x" * 10_001, "body"),
        ([str(ben.id)], "", "body"),
        ([str(anna.id)], "An mich selbst getippt", "an"),
        ([], "Niemand gewählt getippt", "an"),
        (["abc", "²", "9" * 30], "Seltsame Empfänger getippt", "an"),
    ]
    for recipients, body, field in cases:
        response = client.post(
            "/nachrichten/neu", data={"csrf_token": token, "an": recipients, "body": body}
        )
        assert response.status_code == 422, (recipients, body)
        assert 'id="error-' + field + '"' in response.text
        assert body[:8] in response.text
        if recipients == [str(ben.id)]:
            assert f'name="an" value="{ben.id}" checked' in response.text
    conversation = service.start(db, settings, anna, [str(ben.id)], "Erste")
    bad = client.post(
        f"/nachrichten/{conversation.id}", data={"csrf_token": token, "body": "zu \u202e lang"}
    )
    assert bad.status_code == 422 and "zu" in bad.text and 'id="error-body"' in bad.text


def test_twenty_or_more_recipients(client: TestClient, db: Session) -> None:
    home = factories.municipality(db, "Vielstadt")
    writer = factories.account(db, "Viel Schreiber", municipality=home)
    others = [factories.account(db, f"Mitglied {n}", municipality=home) for n in range(25)]
    factories.login(client, db, writer)
    token = factories.csrf_token(client, "/nachrichten")
    response = client.post(
        "/nachrichten/neu",
        data={"csrf_token": token, "an": [str(a.id) for a in others], "body": "An alle"},
    )
    assert response.status_code == 422
    assert "höchstens 20 Beteiligte" in response.text and "An alle" in response.text


def test_a_post_without_csrf_is_refused(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    conversation = service.start(db, settings, anna, [str(ben.id)], "Hallo")
    factories.login(client, db, anna)
    for path, data in (
        ("/nachrichten/neu", {"an": str(ben.id), "body": "x"}),
        (f"/nachrichten/{conversation.id}", {"body": "x"}),
        (f"/nachrichten/sperren/{ben.id}", {}),
        (f"/nachrichten/entsperren/{ben.id}", {}),
    ):
        assert client.post(path, data=data).status_code == 403, path
    assert db.scalar(select(func.count()).select_from(Message)) == 1


def test_block_and_unblock(client: TestClient, db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben Gesperrt")
    conversation = service.start(db, settings, ben, [str(anna.id)], "Hallo")
    factories.login(client, db, anna)
    page = client.get(f"/nachrichten/{conversation.id}")
    assert f'action="/nachrichten/sperren/{ben.id}"' in page.text
    token = factories.csrf_token(client, "/nachrichten")
    blocked = client.post(f"/nachrichten/sperren/{ben.id}", data={"csrf_token": token})
    assert blocked.status_code == 303
    assert "Ben Gesperrt" in client.get("/nachrichten/gesperrt").text
    refused = client.post(
        "/nachrichten/neu", data={"csrf_token": token, "an": str(ben.id), "body": "Doch?"}
    )
    assert refused.status_code == 422
    own = client.post(f"/nachrichten/sperren/{anna.id}", data={"csrf_token": token})
    assert own.status_code == 303
    client.post(f"/nachrichten/entsperren/{ben.id}", data={"csrf_token": token})
    assert "Ben Gesperrt" not in client.get("/nachrichten/gesperrt").text


def test_report_and_the_moderators_audited_view(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    moderator = factories.account(db, "Mona Moderation", role=Role.MODERATOR)
    conversation = service.start(db, settings, anna, [str(ben.id)], SECRET)
    message = db.scalars(select(Message)).one()
    factories.login(client, db, moderator)
    assert client.get(f"/moderation/nachrichten/{conversation.id}").status_code == 404
    factories.login(client, db, ben)
    form = client.get(f"/nachrichten/meldung/{message.id}")
    assert form.status_code == 200
    token = factories.csrf_token(client, "/nachrichten")
    long = client.post(
        f"/nachrichten/meldung/{message.id}", data={"csrf_token": token, "text": "y" * 2001}
    )
    assert long.status_code == 422 and "y" * 50 in long.text
    sent = client.post(
        f"/nachrichten/meldung/{message.id}", data={"csrf_token": token, "text": "Bitte ansehen"}
    )
    assert sent.status_code == 303
    factories.login(client, db, moderator)
    queue = client.get("/moderation/nachrichten")
    assert "Bitte ansehen" in queue.text and SECRET not in queue.text

    def views() -> int:
        return (
            db.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "restricted_content_viewed",
                    AuditEvent.object_type == "conversation",
                )
            )
            or 0
        )

    before = views()
    page = client.get(f"/moderation/nachrichten/{conversation.id}")
    assert page.status_code == 200 and SECRET in page.text
    assert views() == before + 1
    token = factories.csrf_token(client, "/moderation/nachrichten")
    [entry] = moderation.open_reports(db)
    missing = client.post(
        f"/moderation/nachrichten/meldungen/{entry.id}",
        data={"csrf_token": token, "decision": "hide", "reason": ""},
    )
    assert missing.status_code == 422 and 'id="error-reason"' in missing.text
    decided = client.post(
        f"/moderation/nachrichten/meldungen/{entry.id}",
        data={"csrf_token": token, "decision": "hide", "reason": "Beleidigend"},
    )
    assert decided.status_code == 303
    assert client.get(f"/moderation/nachrichten/{conversation.id}").status_code == 404
    factories.login(client, db, ben)
    shown = client.get(f"/nachrichten/{conversation.id}").text
    assert "Von der Moderation ausgeblendet." in shown and SECRET not in shown


def _every_new_url(
    conversation_id: int, message_id: int, account_id: int
) -> list[tuple[str, str, dict[str, str] | None]]:
    return [
        ("GET", "/nachrichten", None),
        ("GET", f"/nachrichten/neu?an={account_id}", None),
        ("GET", f"/nachrichten/{conversation_id}", None),
        ("GET", f"/nachrichten/meldung/{message_id}", None),
        ("GET", "/nachrichten/gesperrt", None),
        ("POST", f"/nachrichten/{conversation_id}", {"body": "eingeschleust"}),
        ("POST", f"/nachrichten/meldung/{message_id}", {"text": "eingeschleust"}),
        ("POST", "/nachrichten/neu", {"an": str(account_id), "body": "eingeschleust"}),
        ("POST", f"/nachrichten/sperren/{account_id}", {}),
        ("POST", f"/nachrichten/entsperren/{account_id}", {}),
        ("GET", "/moderation/nachrichten", None),
        ("GET", f"/moderation/nachrichten/{conversation_id}", None),
        ("POST", "/moderation/nachrichten/meldungen/1", {"decision": "dismiss"}),
    ]


@pytest.mark.parametrize("who", ["outsider", "moderator", "applicant", "anonymous"])
def test_nothing_leaks_to_anyone_outside(
    client: TestClient, db: Session, settings: Settings, who: str
) -> None:
    anna = factories.account(db, "Anna Intern")
    ben = factories.account(db, "Ben Intern")
    conversation = service.start(db, settings, anna, [str(ben.id)], SECRET)
    message = db.scalars(select(Message)).one()
    token = factories.csrf_token(client)
    visitor: Account | None = None
    if who == "outsider":
        visitor = factories.account(db, "Otto Außen")
    elif who == "moderator":
        visitor = factories.account(db, "Mo Derator", role=Role.MODERATOR)
    elif who == "applicant":
        visitor = factories.account(db, "Paula Antrag", state=AccountState.PENDING)
        factories.application(db, visitor)
    if visitor is not None:
        factories.login(client, db, visitor)
        token = factories.csrf_token(
            client, "/membership/status" if who == "applicant" else "/nachrichten"
        )
    for method, path, data in _every_new_url(conversation.id, message.id, anna.id):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, **(data or {})})
        assert SECRET not in response.text, (who, path)
        assert response.status_code < 500, (who, path)
        inside = path.startswith(f"/nachrichten/{conversation.id}") or "/meldung/" in path
        if who == "anonymous":
            assert response.status_code == 303 and "/login" in response.headers["location"]
        elif who == "applicant":
            assert response.status_code == 403, path
        elif path.startswith("/moderation/") and who == "outsider":
            assert response.status_code == 403, (who, path)
        elif inside or "/moderation/nachrichten/" in path:
            assert response.status_code == 404, (who, path)
    # Nothing was written into the conversation, nothing reported.
    assert db.scalar(select(func.count()).select_from(Message)) == 1 + (
        0 if who in ("anonymous", "applicant") else 1
    ), "only a new conversation of their own (POST /nachrichten/neu) may exist"
    assert moderation.open_reports(db) == []
    if visitor is not None and who != "applicant":
        assert not service.takes_part(db, visitor, conversation.id)


def test_pages_answer_htmx_with_a_fragment(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    conversation = service.start(db, settings, anna, [str(ben.id)], "Hallo per htmx")
    factories.login(client, db, ben)
    for path in ("/nachrichten", f"/nachrichten/{conversation.id}", "/nachrichten/neu"):
        full = client.get(path)
        fragment = client.get(path, headers={"HX-Request": "true"})
        assert full.status_code == fragment.status_code == 200, path
        assert "<html" in full.text and "<html" not in fragment.text, path
    assert "Hallo per htmx" in client.get(f"/nachrichten/{conversation.id}").text
