"""@mentions in comments (issue 20, part 3): what counts as a mention, who hears of it (once,
never the author, never someone who may not see the comment), and that names stay text."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.account import privacy
from app.comments import service as comments
from app.comments.models import CommentRevision
from app.config import Settings
from app.core import markdown
from app.moderation import reports
from app.notifications import mentions
from app.notifications import service as notifications
from app.notifications.models import Mention, Notification, NotificationKind
from app.outbox.models import OutboxMessage
from app.vorhaben import service as vorhaben_service
from tests import factories


def _mentions_of(db: Session, account: factories.Account) -> list[int | None]:
    return list(
        db.scalars(
            select(Notification.comment_id)
            .where(
                Notification.account_id == account.id,
                Notification.kind == NotificationKind.MENTION,
            )
            .order_by(Notification.id)
        )
    )


def _mails_to(db: Session, account: factories.Account) -> list[dict[str, str]]:
    return [
        payload
        for payload in db.scalars(select(OutboxMessage.payload))
        if payload.get("to") == account.email
    ]


def test_mentions_are_links_after_an_at_sign_in_running_text() -> None:
    source = "\n".join(
        [
            "Hallo @[Anna](/mitglieder/12) und @[Anna](/mitglieder/12) wieder,",
            "auch @[Bert \\[Bauamt\\]](/mitglieder/7)!",
            "Kein Erwähnen: [Carla](/mitglieder/8), @[Dora](/mitglieder/0),",
            "@[Extern](https://example.org/mitglieder/9), @[Eva](/mitglieder/10/x).",
            "`@[Code](/mitglieder/20)` und",
            "",
            "```",
            "@[Block](/mitglieder/21)",
            "```",
            "",
            "    @[Eingerückt](/mitglieder/22)",
        ]
    )
    assert mentions.mentioned_ids(source) == [12, 7]


def test_the_inserted_syntax_keeps_any_name_one_link_and_renders_it_escaped() -> None:
    hostile = 'Eve] (x) <img src=x onerror=alert(1)> <a hx-get="/x">\\'
    inserted = mentions.syntax(hostile, 5)
    assert mentions.mentioned_ids(f"Hallo {inserted} !") == [5]
    html = markdown.render(f"Hallo {inserted}")
    assert 'href="/mitglieder/5"' in html
    # The name is text: the only elements are the paragraph and the one profile link.
    assert re.findall(r"<(\w+)", html) == ["p", "a"]
    assert "&lt;img src=x onerror=alert(1)&gt; &lt;a hx-get" in html


def test_a_mentioned_member_hears_of_it_once_never_the_author_or_a_stranger(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    anna = factories.account(db, "Anna")
    author = factories.account(db, "Kai")
    vorhaben = factories.vorhaben(db, owner, "Bürgerportal")
    body = (
        f"Fragen an {mentions.syntax('Anna', anna.id)}, {mentions.syntax('Anna', anna.id)},"
        f" {mentions.syntax('Kai', author.id)} und {mentions.syntax('Niemand', 999_999)}"
    )
    comment = factories.comment(db, author, vorhaben, body)
    assert _mentions_of(db, anna) == [comment.id]
    assert _mentions_of(db, author) == []
    [mail] = _mails_to(db, anna)
    assert (
        "erwähnt" in mail["subject"] + mail["text"] and f"/kommentare/{comment.id}" in mail["text"]
    )
    # The owner follows and hears of the comment as usual; Anna only of the mention.
    kinds = db.scalars(select(Notification.kind).where(Notification.account_id == owner.id))
    assert list(kinds) == [NotificationKind.COMMENT]
    assert list(
        db.scalars(select(Notification.kind).where(Notification.account_id == anna.id))
    ) == [NotificationKind.MENTION]
    # An edit that keeps Anna and names Bert notifies Bert only.
    bert = factories.account(db, "Bert")
    comments.edit(
        db,
        author,
        comment.id,
        f"{body} – und {mentions.syntax('Bert', bert.id)}",
        settings=settings,
    )
    assert _mentions_of(db, anna) == [comment.id]
    assert _mentions_of(db, bert) == [comment.id]
    comments.edit(db, author, comment.id, "Ohne Namen.", settings=settings)
    comments.edit(db, author, comment.id, body, settings=settings)
    assert _mentions_of(db, anna) == [comment.id]  # named again: still told only once


def test_who_may_not_see_the_vorhaben_is_not_notified_until_they_may(
    db: Session, settings: Settings
) -> None:
    town = factories.municipality(db, "Eigenstadt")
    owner = factories.account(db, "Olga", municipality=town)
    colleague = factories.account(db, "Konrad", municipality=town)
    outsider = factories.account(db, "Xaver")
    pending = factories.account(db, "Paula", state=factories.AccountState.PENDING)
    vorhaben = factories.vorhaben(db, owner, "Intern", visibility="municipality")
    body = " ".join(
        mentions.syntax(person.display_name, person.id) for person in (colleague, outsider, pending)
    )
    comment = factories.comment(db, owner, vorhaben, body)
    assert _mentions_of(db, colleague) == [comment.id]
    assert _mentions_of(db, outsider) == [] and _mentions_of(db, pending) == []
    assert _mails_to(db, outsider) == []
    # Recorded, though: once they may see it, the next edit tells them.
    recorded = db.scalars(select(Mention).where(Mention.account_id == outsider.id)).one()
    assert recorded.notified_at is None
    form = vorhaben_service.form_from(vorhaben_service.get(db, owner, vorhaben.id))
    form.visibility = "members"
    vorhaben_service.update(db, settings, owner, vorhaben.id, form)
    comments.edit(db, owner, comment.id, body + " (ergänzt)", settings=settings)
    assert _mentions_of(db, outsider) == [comment.id]


def test_a_mention_in_a_hidden_comment_disappears_from_the_list(
    db: Session, settings: Settings
) -> None:
    owner = factories.account(db, "Olga")
    anna = factories.account(db, "Anna")
    moderator = factories.account(db, "Mona", role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(db, owner, "Portal")
    comment = factories.comment(db, owner, vorhaben, f"Hallo {mentions.syntax('Anna', anna.id)}")
    reports.decide(db, settings, moderator, "comment", comment.id, "hide", "Intern")
    assert notifications.unread_count(db, anna) == 0
    assert notifications.page(db, anna).items == []


def test_erasure_takes_the_name_out_of_the_mentions(db: Session, settings: Settings) -> None:
    owner = factories.account(db, "Olga")
    anna = factories.account(db, "Anna Auszug")
    vorhaben = factories.vorhaben(db, owner, "Portal")
    comment = factories.comment(
        db, owner, vorhaben, f"Frage an {mentions.syntax('Anna Auszug', anna.id)}"
    )
    comments.edit(
        db,
        owner,
        comment.id,
        f"Frage an {mentions.syntax('Anna Auszug', anna.id)}, bitte!",
        settings=settings,
    )
    privacy.erase(db, settings, anna, actor=anna)
    db.refresh(comment)
    assert "Anna" not in comment.body and "Anna" not in comment.body_html
    assert "Ehemaliges Mitglied" in comment.body_html
    revisions = db.scalars(
        select(CommentRevision.body).where(CommentRevision.comment_id == comment.id)
    )
    assert all("Anna" not in text for text in revisions)
