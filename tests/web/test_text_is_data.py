"""Text is data (PRODUCT.md invariant 7): what a moderator or admin types reaches pages and
mails as text, never as markup; the issue's reproductions, end to end through the app."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin import taxonomy
from app.membership.models import Role
from app.outbox.models import OutboxMessage
from app.reports import service as reports
from tests import factories
from tests.web.hostile import EVIL_PATH, findings, hostile, shown


def _last_outbox_id(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0


def _mails_since(db: Session, last_id: int) -> list[dict[str, str]]:
    rows = db.scalars(select(OutboxMessage).where(OutboxMessage.id > last_id))
    return [row.payload for row in rows if row.channel.value == "mail"]


def test_hide_reason_cannot_carry_htmx_into_the_page(client: TestClient, db: Session) -> None:
    """A moderator hides an admin's comment with a reason that would post to the role route
    as soon as the admin opens the page: the admin sees the reason as text."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    admin = factories.account(
        db, "Ada", role=Role.ADMIN, municipality=factories.municipality(db, "Adastadt")
    )
    moderator = factories.account(db, "Mo", role=Role.MODERATOR)
    owner = factories.account(db, "Olga")
    vorhaben = factories.vorhaben(db, owner, "Offene Daten")
    comment = factories.comment(db, admin, vorhaben, "Meine Meinung")
    reason = (
        f'<span hx-post="{EVIL_PATH}" hx-vals=\'{{"role": "admin"}}\' hx-trigger="load">'
        f"Spam</span> {hostile('reason')}"
    )
    mails = _last_outbox_id(db)
    reports.decide(db, settings, moderator, "comment", comment.id, "hide", reason)

    factories.login(client, db, admin)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert findings(page) == []
    assert shown(page, "reason") and "hx-trigger=&#34;load&#34;" in page
    told = [mail for mail in _mails_since(db, mails) if mail["to"] == admin.email]
    assert told, "the author is told"
    assert findings(told[0]["html"]) == [] and shown(told[0]["html"], "reason")
    assert hostile("reason") in told[0]["text"]


def test_field_of_action_label_cannot_carry_markup_into_pages(
    client: TestClient, db: Session
) -> None:
    """An admin's field-of-action label on the card, the Vorhaben page and the account page."""
    admin = factories.account(db, role=Role.ADMIN)
    label = hostile("label")[:120]
    field = taxonomy.add(db, admin, label)
    member = factories.account(db, "Mia")
    vorhaben = factories.vorhaben(db, member, "Schulportal", fields=[field.slug])
    factories.login(client, db, member)
    for path in (f"/vorhaben/{vorhaben.id}", "/vorhaben", "/konto"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert findings(page.text) == [], path
        assert shown(page.text, "label"), path
