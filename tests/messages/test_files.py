"""Files in direct messages: the same checks as a comment's file, downloads only for the
participants who see the message (404 for everyone else, moderators included, except
through an open report's audited view), a hidden message hides its files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState, Role
from app.attachments.models import Attachment
from app.audit.models import AuditEvent
from app.config import Settings
from app.messages import blocks, moderation
from app.messages.models import Message
from tests import factories
from tests.attachments import samples

pytestmark = pytest.mark.commits

LIMIT = 200_000


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "attachment_dir": str(tmp_path / "anhaenge"),
        "attachment_max_file_bytes": LIMIT,
        "attachment_max_vorhaben_bytes": LIMIT + 10_000,
    }


def _send(
    client: TestClient, path: str, body: str, file: tuple[str, bytes] | None, **data: str
) -> Response:
    token = factories.csrf_token(client, "/nachrichten")
    return client.post(
        path,
        data={"csrf_token": token, "body": body, **data},
        files={"datei": (*file, "application/octet-stream")} if file else {"datei": ("", b"")},
    )


def _start(
    client: TestClient, db: Session, writer: Account, to: Account, file: tuple[str, bytes]
) -> tuple[int, Attachment]:
    factories.login(client, db, writer)
    sent = _send(client, "/nachrichten/neu", "Anbei die Unterlagen.", file, an=str(to.id))
    assert sent.status_code == 303, sent.text
    conversation_id = int(re.findall(r"/nachrichten/(\d+)", sent.headers["location"])[0])
    return conversation_id, db.scalars(select(Attachment)).one()


def test_a_participant_sends_a_file_the_other_downloads_it(client: TestClient, db: Session) -> None:
    anna = factories.account(db, "Anna Absender")
    ben = factories.account(db, "Ben Empfang")
    factories.login(client, db, anna)
    form = client.get(f"/nachrichten/neu?an={ben.id}").text
    assert 'enctype="multipart/form-data"' in form and 'name="datei"' in form
    conversation_id, attachment = _start(client, db, anna, ben, ("Plan.png", samples.image("PNG")))
    message = db.scalars(select(Message)).one()
    assert attachment.message_id == message.id and attachment.vorhaben_id is None
    assert attachment.conversation_id == conversation_id
    factories.login(client, db, ben)
    page = client.get(f"/nachrichten/{conversation_id}").text
    article = page.split(f'id="nachricht-{message.id}"')[1].split("</article>")[0]
    assert f'href="/nachrichten/anhaenge/{attachment.id}"' in article and "Plan.png" in article
    assert f'src="/nachrichten/anhaenge/{attachment.id}/vorschau"' in article
    download = client.get(f"/nachrichten/anhaenge/{attachment.id}")
    assert download.status_code == 200 and download.content == samples.image("PNG")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["cache-control"] == "private, no-store"
    preview = client.get(f"/nachrichten/anhaenge/{attachment.id}/vorschau")
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    # The Vorhaben files' route never serves a message's file, not even to a participant.
    assert client.get(f"/anhaenge/{attachment.id}").status_code == 404
    assert client.get(f"/anhaenge/{attachment.id}/vorschau").status_code == 404
    # A reply carries a file too.
    answered = _send(
        client, f"/nachrichten/{conversation_id}", "Danke, hier meins.", ("a.csv", samples.CSV)
    )
    assert answered.status_code == 303
    assert db.scalar(select(func.count()).select_from(Attachment)) == 2


def test_a_pdf_named_png_is_kept_as_a_pdf(client: TestClient, db: Session) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    _conversation_id, attachment = _start(client, db, anna, ben, ("bild.png", samples.PDF))
    assert attachment.display_name == "bild.pdf" and attachment.preview_key is None
    factories.login(client, db, ben)
    download = client.get(f"/nachrichten/anhaenge/{attachment.id}")
    assert download.headers["content-type"] == "application/pdf"
    assert "bild.pdf" in download.headers["content-disposition"]
    assert client.get(f"/nachrichten/anhaenge/{attachment.id}/vorschau").status_code == 404


def test_an_svg_with_a_script_is_refused_and_the_text_kept(client: TestClient, db: Session) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    factories.login(client, db, anna)
    refused = _send(
        client,
        "/nachrichten/neu",
        "Mein getippter Text",
        ("logo.svg", samples.SVG_WITH_SCRIPT),
        an=str(ben.id),
    )
    assert refused.status_code == 422
    assert "Mein getippter Text" in refused.text and 'id="error-datei"' in refused.text
    assert f'name="an" value="{ben.id}" checked' in refused.text
    assert db.scalar(select(func.count()).select_from(Message)) == 0
    assert db.scalar(select(func.count()).select_from(Attachment)) == 0
    # Both errors at once: no text and a hostile file.
    both = _send(client, "/nachrichten/neu", "", ("x.html", samples.HTML), an=str(ben.id))
    assert both.status_code == 422
    assert 'id="error-datei"' in both.text and 'id="error-body"' in both.text


def test_over_the_conversations_limit_nothing_is_kept(client: TestClient, db: Session) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    big = samples.PDF + b"%" * (LIMIT - len(samples.PDF) - 10)
    conversation_id, _first = _start(client, db, anna, ben, ("gross.pdf", big))
    refused = _send(client, f"/nachrichten/{conversation_id}", "Noch eins", ("b.pdf", big))
    assert refused.status_code == 422
    assert "kein Platz mehr" in refused.text and "Noch eins" in refused.text
    assert db.scalar(select(func.count()).select_from(Message)) == 1
    assert db.scalar(select(func.count()).select_from(Attachment)) == 1


@pytest.mark.parametrize("who", ["outsider", "moderator", "applicant", "anonymous"])
def test_nobody_outside_the_conversation_gets_the_file(
    client: TestClient, db: Session, who: str
) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    _conversation_id, attachment = _start(client, db, anna, ben, ("Plan.png", samples.image("PNG")))
    client.cookies.clear()
    if who == "outsider":
        factories.login(client, db, factories.account(db))
    elif who == "moderator":
        factories.login(client, db, factories.account(db, role=Role.MODERATOR))
    elif who == "applicant":
        visitor = factories.account(db, state=AccountState.PENDING)
        factories.application(db, visitor)
        factories.login(client, db, visitor)
    for path in (
        f"/nachrichten/anhaenge/{attachment.id}",
        f"/nachrichten/anhaenge/{attachment.id}/vorschau",
        f"/moderation/nachrichten/anhaenge/{attachment.id}",
        f"/anhaenge/{attachment.id}",
    ):
        response = client.get(path)
        assert response.content != samples.image("PNG"), (who, path)
        if who == "anonymous":
            assert response.status_code == 303 and "/login" in response.headers["location"]
        elif who == "applicant" or (who == "outsider" and path.startswith("/moderation/")):
            assert response.status_code == 403, path
        else:
            assert response.status_code == 404, (who, path)


def test_a_hidden_message_hides_its_files_the_moderators_read_them_through_the_report(
    client: TestClient, db: Session
) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    moderator = factories.account(db, "Mona", role=Role.MODERATOR)
    conversation_id, attachment = _start(client, db, anna, ben, ("Beleg.pdf", samples.PDF))
    message = db.scalars(select(Message)).one()
    entry = moderation.report(db, ben, message.id, "Unangebracht")
    factories.login(client, db, moderator)
    page = client.get(f"/moderation/nachrichten/{conversation_id}").text
    assert f'href="/moderation/nachrichten/anhaenge/{attachment.id}"' in page
    download = client.get(f"/moderation/nachrichten/anhaenge/{attachment.id}")
    assert download.status_code == 200 and download.content == samples.PDF
    viewed = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "restricted_content_viewed",
            AuditEvent.object_type == "attachment",
        )
    ).all()
    assert [event.object_id for event in viewed] == [str(attachment.id)]
    moderation.decide(db, moderator, entry.id, "hide", "Beleidigend")
    # Hidden: the participants no longer get the file, nor see it listed.
    for person in (anna, ben):
        factories.login(client, db, person)
        assert (
            f"/nachrichten/anhaenge/{attachment.id}"
            not in client.get(f"/nachrichten/{conversation_id}").text
        )
        assert client.get(f"/nachrichten/anhaenge/{attachment.id}").status_code == 404
    # Decided: no open report, so the moderators' way is closed again.
    factories.login(client, db, moderator)
    assert client.get(f"/moderation/nachrichten/anhaenge/{attachment.id}").status_code == 404


def test_the_blocker_does_not_get_files_written_after_the_block(
    client: TestClient, db: Session
) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    conversation_id, first = _start(client, db, anna, ben, ("a.pdf", samples.PDF))
    blocks.block(db, ben, anna.id)
    db.flush()
    # In the conversation they share, Anna can still write; Ben does not get it.
    sent = _send(client, f"/nachrichten/{conversation_id}", "Trotzdem", ("b.csv", samples.CSV))
    assert sent.status_code == 303
    later = db.scalars(select(Attachment).where(Attachment.id != first.id)).one()
    factories.login(client, db, ben)
    assert client.get(f"/nachrichten/anhaenge/{later.id}").status_code == 404
    assert client.get(f"/nachrichten/anhaenge/{first.id}").status_code == 200


def test_an_erased_writers_files_stay_for_the_others(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db)
    ben = factories.account(db)
    _conversation_id, attachment = _start(client, db, anna, ben, ("a.pdf", samples.PDF))
    privacy.erase(db, settings, anna, actor=anna)
    factories.login(client, db, ben)
    assert client.get(f"/nachrichten/anhaenge/{attachment.id}").status_code == 200
