"""Direct messages as the service sees them: start, reply, groups, unread counts, mails
that respect the mail settings and carry no message text, blocking, erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.accounts.models import Account, AccountState, MailMode
from app.audit.models import AuditEvent
from app.config import Settings
from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.messages import blocks, digest, moderation, service
from app.messages.models import Message, MessageReport, Participant, ReportState
from app.outbox.models import OutboxMessage
from tests import factories

pytestmark = pytest.mark.commits


def _mails_to(db: Session, account: Account) -> list[dict[str, str]]:
    return [
        payload
        for payload in db.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id))
        if payload["to"] == account.email
    ]


def test_start_reply_and_unread_counts(db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    conversation = service.start(db, settings, anna, [str(ben.id)], "Hallo **Ben**")
    assert service.unread_count(db, ben) == 1
    assert service.unread_count(db, anna) == 0
    view = service.read(db, ben, conversation.id)
    assert [m.author_name for m in view.messages] == ["Anna"]
    assert "<strong>Ben</strong>" in view.messages[0].body_html
    assert service.unread_count(db, ben) == 0
    service.reply(db, settings, ben, conversation.id, "Hallo Anna")
    service.reply(db, settings, ben, conversation.id, "Noch was")
    assert service.unread_count(db, anna) == 2
    [summary] = service.conversations(db, anna)
    assert summary.names == ["Ben"] and summary.unread == 2
    # A second message to the same one person joins the conversation the two have.
    again = service.start(db, settings, anna, [str(ben.id)], "Und noch eins")
    assert again.id == conversation.id
    assert len(service.conversations(db, anna)) == 1


def test_a_group_of_up_to_twenty(db: Session, settings: Settings) -> None:
    home = factories.municipality(db, "Gruppenstadt")
    writer = factories.account(db, "Gruppenleitung", municipality=home)
    others = [factories.account(db, f"Mitglied {n}", municipality=home) for n in range(20)]
    with pytest.raises(ValidationFailed) as too_many:
        service.start(db, settings, writer, [str(a.id) for a in others], "Alle")
    assert "höchstens 20" in too_many.value.errors["an"]
    group = service.start(db, settings, writer, [str(a.id) for a in others[:19]], "Alle")
    assert len(service.participants(db, group.id)) == 20
    for member in others[:19]:
        assert service.unread_count(db, member) == 1
    # A group with the same first person is a conversation of its own.
    pair = service.start(db, settings, writer, [str(others[0].id)], "Nur du")
    assert pair.id != group.id


@pytest.mark.parametrize(
    "state", [AccountState.PENDING, AccountState.SUSPENDED, AccountState.ERASED]
)
def test_only_approved_members_take_part(
    db: Session, settings: Settings, state: AccountState
) -> None:
    writer = factories.account(db)
    other = factories.account(db, state=state)
    with pytest.raises(ValidationFailed) as error:
        service.start(db, settings, writer, [str(other.id)], "Hallo")
    assert "an" in error.value.errors


def test_odd_recipients_and_text(db: Session, settings: Settings) -> None:
    writer = factories.account(db)
    other = factories.account(db)
    for recipients in ([], [str(writer.id)], ["abc", "²", "9" * 40], ["999999999"]):
        with pytest.raises(ValidationFailed) as error:
            service.start(db, settings, writer, recipients, "Hallo")
        assert "an" in error.value.errors
    for body in ("", "   ", "mit \x00 NUL", "x" * 10_001, "\u202eumgedreht"):
        with pytest.raises(ValidationFailed) as error:
            service.start(db, settings, writer, [str(other.id)], body)
        assert "body" in error.value.errors
    # Oneself among others is simply not counted twice.
    conversation = service.start(db, settings, writer, [str(writer.id), str(other.id)], "Hi")
    assert len(service.participants(db, conversation.id)) == 2


def test_markdown_is_sanitized(db: Session, settings: Settings) -> None:
    writer = factories.account(db)
    other = factories.account(db)
    conversation = service.start(
        db, settings, writer, [str(other.id)], "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    [shown] = service.read(db, other, conversation.id).messages
    assert "<script" not in shown.body_html and "href" not in shown.body_html
    assert "&lt;script&gt;" in shown.body_html


def test_only_participants_read(db: Session, settings: Settings) -> None:
    writer = factories.account(db)
    other = factories.account(db)
    outsider = factories.account(db)
    moderator = factories.account(db, role=factories.Role.MODERATOR)
    conversation = service.start(db, settings, writer, [str(other.id)], "Vertraulich")
    for reader in (outsider, moderator):
        with pytest.raises(NotFound):
            service.read(db, reader, conversation.id)
        with pytest.raises(NotFound):
            service.reply(db, settings, reader, conversation.id, "Ich auch")
        with pytest.raises(NotFound):
            moderation.for_moderator(db, moderator, conversation.id)


def test_mail_follows_the_settings_and_never_carries_the_text(
    db: Session, settings: Settings
) -> None:
    writer = factories.account(db, "Wanda")
    at_once = factories.account(db, "Ida")
    digest = factories.account(db, "Dora")
    digest.mail_mode = MailMode.DIGEST
    silent = factories.account(db, "Olaf")
    silent.mail_mode = MailMode.OFF
    db.flush()
    ids = [str(a.id) for a in (at_once, digest, silent)]
    conversation = service.start(db, settings, writer, ids, "Geheimer Inhalt 4711")
    [mail] = _mails_to(db, at_once)
    assert "Wanda" in mail["subject"]
    assert f"/nachrichten/{conversation.id}" in mail["text"]
    assert "4711" not in mail["text"] + mail["html"] + mail["subject"]
    assert _mails_to(db, digest) == [] and _mails_to(db, silent) == []
    assert _mails_to(db, writer) == []
    # Told once until read: a second message sends no second mail; after reading, one.
    service.reply(db, settings, writer, conversation.id, "Noch was")
    assert len(_mails_to(db, at_once)) == 1
    service.read(db, at_once, conversation.id)
    service.reply(db, settings, writer, conversation.id, "Und noch was")
    assert len(_mails_to(db, at_once)) == 2


def test_blocking(db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    carl = factories.account(db, "Carl")
    group = service.start(db, settings, anna, [str(ben.id), str(carl.id)], "Hallo zusammen")
    blocks.block(db, anna, ben.id)
    # Neither can start a conversation with the other.
    for writer, other in ((anna, ben), (ben, anna)):
        with pytest.raises(ValidationFailed):
            service.start(db, settings, writer, [str(other.id)], "Hallo")
    assert service.find_members(db, ben, "Anna") == []
    # In the shared group, Ben's new message reaches Carl, not Anna (nor her mail).
    mails_before = len(_mails_to(db, anna))
    service.reply(db, settings, ben, group.id, "Von Ben nach der Sperre")
    assert service.unread_count(db, anna) == 0
    assert service.unread_count(db, carl) == 2  # the greeting and Ben
    assert len(_mails_to(db, anna)) == mails_before
    shown = [m.author_name for m in service.read(db, anna, group.id).messages]
    assert shown == ["Anna"]
    assert [m.author_name for m in service.read(db, carl, group.id).messages] == ["Anna", "Ben"]
    assert blocks.blocked_by(db, anna) == [(ben.id, "Ben")]
    with pytest.raises(ValidationFailed):
        blocks.block(db, anna, anna.id)
    blocks.unblock(db, anna, ben.id)
    assert service.start(db, settings, anna, [str(ben.id)], "Wieder da")


def test_report_and_the_audited_moderator_view(db: Session, settings: Settings) -> None:
    anna = factories.account(db, "Anna")
    ben = factories.account(db, "Ben")
    moderator = factories.account(db, "Mona", role=factories.Role.MODERATOR)
    conversation = service.start(db, settings, anna, [str(ben.id)], "Beleidigung")
    message = db.scalars(select(Message).where(Message.conversation_id == conversation.id)).one()
    with pytest.raises(Forbidden):
        moderation.report(db, anna, message.id, "eigene")
    with pytest.raises(NotFound):
        moderation.report(db, moderator, message.id, "kein Teil")
    entry = moderation.report(db, ben, message.id, "Bitte prüfen")
    with pytest.raises(Conflict):
        moderation.report(db, ben, message.id, "nochmal")
    view, reports = moderation.for_moderator(db, moderator, conversation.id)
    assert [r.id for r in reports] == [entry.id]
    assert [m.id for m in view.messages] == [message.id]
    audited = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "restricted_content_viewed")
    ).all()
    assert [(a.actor_id, a.object_type, a.object_id) for a in audited] == [
        (moderator.id, "conversation", str(conversation.id))
    ]
    with pytest.raises(ValidationFailed):
        moderation.decide(db, moderator, entry.id, "hide", "")
    moderation.decide(db, moderator, entry.id, "hide", "Beleidigend")
    db.refresh(message)
    db.refresh(entry)
    assert message.hidden_at is not None and entry.state is ReportState.ACTIONED
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "message_hidden")).one()
    # Decided: the conversation is closed to the moderators again.
    with pytest.raises(NotFound):
        moderation.for_moderator(db, moderator, conversation.id)
    [shown] = service.read(db, ben, conversation.id).messages
    assert shown.hidden


def test_erasure_pseudonymizes(db: Session, settings: Settings) -> None:
    leaving = factories.account(db, "Lena Geht")
    staying = factories.account(db, "Sam Bleibt")
    conversation = service.start(db, settings, leaving, [str(staying.id)], "Tschüss")
    message = db.scalars(select(Message).where(Message.conversation_id == conversation.id)).one()
    service.reply(db, settings, staying, conversation.id, "Schade")
    blocks.block(db, leaving, staying.id)
    blocks.unblock(db, leaving, staying.id)
    blocks.block(db, staying, leaving.id)
    moderation.report(db, staying, message.id, "Lena Geht schreibt komisch")
    privacy.erase(db, settings, leaving, actor=leaving)
    view = service.read(db, staying, conversation.id)
    assert [m.author_name for m in view.messages] == ["Ehemaliges Mitglied", "Sam Bleibt"]
    assert db.get(Participant, (conversation.id, leaving.id)) is None
    assert blocks.blocked_by(db, staying) == []
    assert service.conversations(db, staying)[0].names == []
    # The erased person's own reports lose their words; the others' stay.
    privacy.erase(db, settings, staying, actor=staying)
    assert db.scalars(select(MessageReport.text)).all() == [""]


def test_own_messages_are_in_the_data_export_without_others(
    db: Session, settings: Settings
) -> None:
    writer = factories.account(db, "Erika Export")
    other = factories.account(db, "Olli Anders")
    conversation = service.start(db, settings, writer, [str(other.id)], "Meine Worte")
    service.reply(db, settings, other, conversation.id, "Seine Worte")
    data = privacy.export(db, writer)
    assert [entry["body"] for entry in data["messages"]] == ["Meine Worte"]
    assert str(other.email) not in str(data["messages"]) and "Olli" not in str(data["messages"])


def test_digest_readers_get_one_mail_a_day_without_the_text(
    db: Session, settings: Settings
) -> None:
    writer = factories.account(db, "Wanda")
    reader = factories.account(db, "Dora Digest")
    reader.mail_mode = MailMode.DIGEST
    db.flush()
    first = service.start(db, settings, writer, [str(reader.id)], "Geheim 4711")
    group = service.start(
        db, settings, writer, [str(reader.id), str(factories.account(db).id)], "Auch geheim"
    )
    assert _mails_to(db, reader) == []
    now = clock.utcnow().astimezone(clock.BERLIN)
    clock.travel(now.replace(hour=10, minute=0) + dt.timedelta(days=1) - now)
    assert digest.send_digests(db, settings) == 1
    [mail] = _mails_to(db, reader)
    assert "2 Unterhaltungen" in mail["subject"]
    assert "geheim" not in (mail["text"] + mail["html"]).lower()
    assert digest.send_digests(db, settings) == 0  # told once, until read
    service.read(db, reader, first.id)
    service.reply(db, settings, writer, first.id, "Neu")
    service.reply(db, settings, writer, group.id, "Auch neu")
    clock.travel(dt.timedelta(days=1))
    assert digest.send_digests(db, settings) == 1
    assert "1 Unterhaltung" in _mails_to(db, reader)[-1]["subject"]
