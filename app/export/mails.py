"""Mails of the publication workflow."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.config import Settings
from app.export.models import Publication
from app.membership import service as membership
from app.outbox import mail
from app.vorhaben.models import Vorhaben


def submitted(db: Session, settings: Settings, publication: Publication) -> None:
    """Tell the moderators a publication waits for release."""
    mail.send_each(
        db,
        settings,
        membership.moderators(db),
        name="publication_submitted",
        context={"publication": publication},
    )


def decided(
    db: Session, settings: Settings, publication: Publication, decision: str, reason: str
) -> None:
    """Tell the person who submitted what the moderators decided."""
    if publication.submitted_by_id is None:
        return
    submitter = db.get(Account, publication.submitted_by_id)
    if submitter is None or not submitter.is_member:
        return
    mail.send(
        db,
        settings,
        to=submitter.email,
        locale=submitter.locale,
        name=f"publication_{decision}",
        context={"receiver": submitter, "publication": publication, "reason": reason},
    )


def withdrawn(
    db: Session,
    settings: Settings,
    publication: Publication,
    vorhaben: Vorhaben | None,
    reason: str,
) -> None:
    """Tell the owners (who submitted, who wrote the Vorhaben) that a moderator withdrew it."""
    ids = dict.fromkeys(
        person
        for person in (publication.submitted_by_id, vorhaben.author_id if vorhaben else None)
        if person is not None
    )
    for account_id in ids:
        receiver = db.get(Account, account_id)
        if receiver is None or not receiver.is_member:
            continue
        mail.send(
            db,
            settings,
            to=receiver.email,
            locale=receiver.locale,
            name="publication_withdrawn",
            context={"receiver": receiver, "publication": publication, "reason": reason},
        )
