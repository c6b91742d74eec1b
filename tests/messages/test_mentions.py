"""@mentions in direct messages: the completion suggests only the conversation's other
participants, a mention renders as a sanitized profile link, the mentioned participant
hears of it as of every message (once), nobody outside hears anything."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState, MailMode, Role
from app.config import Settings
from app.messages import service
from app.messages.models import Message
from app.notifications import mentions
from app.notifications.models import Notification
from app.outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.commits


def _mails_to(db: Session, account: Account) -> int:
    return sum(
        1 for payload in db.scalars(select(OutboxMessage.payload)) if payload["to"] == account.email
    )


def test_the_completion_suggests_only_the_participants(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna Schreiber")
    bea = factories.account(db, "Bea Beteiligt")
    factories.account(db, "Bert Außenstehend")  # matches "be", takes no part
    factories.account(db, "Beate Fremd", role=Role.MODERATOR)
    conversation = service.start(db, settings, anna, [str(bea.id)], "Hallo")
    factories.login(client, db, anna)
    page = client.get(f"/nachrichten/{conversation.id}").text
    assert f'hx-get="/nachrichten/{conversation.id}/erwaehnen"' in page
    for headers in ({"HX-Request": "true"}, {}):
        found = client.get(f"/nachrichten/{conversation.id}/erwaehnen?q=be", headers=headers)
        assert found.status_code == 200
        assert "Bea Beteiligt" in found.text
        assert "Bert" not in found.text and "Beate" not in found.text
        assert mentions.syntax("Bea Beteiligt", bea.id) in found.text.replace("&#34;", '"')
    # Not the reader themselves.
    nobody = client.get(
        f"/nachrichten/{conversation.id}/erwaehnen?q=anna", headers={"HX-Request": "true"}
    )
    assert "Anna" not in nobody.text and "Niemand in dieser Unterhaltung" in nobody.text


@pytest.mark.parametrize("who", ["outsider", "moderator", "applicant", "anonymous"])
def test_nobody_outside_gets_the_participants(
    client: TestClient, db: Session, settings: Settings, who: str
) -> None:
    anna = factories.account(db, "Anna Geheim")
    bea = factories.account(db, "Bea Geheim")
    conversation = service.start(db, settings, anna, [str(bea.id)], "Hallo")
    if who == "outsider":
        factories.login(client, db, factories.account(db))
    elif who == "moderator":
        factories.login(client, db, factories.account(db, role=Role.MODERATOR))
    elif who == "applicant":
        visitor = factories.account(db, state=AccountState.PENDING)
        factories.application(db, visitor)
        factories.login(client, db, visitor)
    for headers in ({"HX-Request": "true"}, {}):
        response = client.get(f"/nachrichten/{conversation.id}/erwaehnen?q=geheim", headers=headers)
        assert "Geheim" not in response.text
        anonymous = 204 if headers else 303  # htmx is sent to the login by HX-Redirect
        expected = {"anonymous": anonymous, "applicant": 403}.get(who, 404)
        assert response.status_code == expected, who


def test_a_mention_renders_as_a_sanitized_profile_link(
    client: TestClient, db: Session, settings: Settings
) -> None:
    anna = factories.account(db)
    bea = factories.account(db)
    factories.login(client, db, anna)
    token = factories.csrf_token(client, "/nachrichten")
    body = f"Frage an @[Bea <script>x</script>](/mitglieder/{bea.id}) und [y](javascript:alert(1))"
    sent = client.post(
        "/nachrichten/neu", data={"csrf_token": token, "an": str(bea.id), "body": body}
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"]).text
    assert f'<a href="/mitglieder/{bea.id}" rel="nofollow noopener">Bea &lt;script&gt;' in page
    assert "<script>x" not in page and 'href="javascript:' not in page


def test_a_mentioned_participant_hears_once_an_outsider_not_at_all(
    db: Session, settings: Settings
) -> None:
    anna = factories.account(db, "Anna")
    bea = factories.account(db, "Bea")
    otto = factories.account(db, "Otto Außen")
    for person in (bea, otto):
        person.mail_mode = MailMode.IMMEDIATE
    db.flush()
    service.start(
        db,
        settings,
        anna,
        [str(bea.id)],
        f"@[Bea](/mitglieder/{bea.id}) und @[Otto](/mitglieder/{otto.id}), bitte schauen",
    )
    # Bea: the message's own notice (one unread, one mail), nothing twice.
    assert service.unread_count(db, bea) == 1 and _mails_to(db, bea) == 1
    # Otto, named but outside: no mail, no unread message, no notification, no access.
    assert service.unread_count(db, otto) == 0 and _mails_to(db, otto) == 0
    assert db.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_erased_participants_name_leaves_the_mentions(db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    bea = factories.account(db, "Bea Vergessen")
    service.start(
        db, settings, anna, [str(bea.id)], f"Hallo @[Bea Vergessen](/mitglieder/{bea.id})"
    )
    privacy.erase(db, settings, bea, actor=bea)
    message = db.scalars(select(Message)).one()
    db.refresh(message)
    assert "Vergessen" not in message.body and "Vergessen" not in message.body_html
    assert f"/mitglieder/{bea.id}" in message.body_html
