"""Erasing a member who is a public contact: a new version without them in the feed, and
their name and mail removed from everything stored of earlier releases (past versions,
webhook bodies waiting in or delivered from the outbox)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.config import Settings
from app.export import contact, feed, serializer
from app.export.models import Publication, PublicationVersion
from app.export.service import lock


def _versions_naming(db: Session, person: Account) -> list[PublicationVersion]:
    # Versions record whose consent put the contact in; rows released before that column
    # existed are found by the mail address they carry.
    naming = PublicationVersion.contact_account_id == person.id
    if person.email:
        legacy = PublicationVersion.contact_account_id.is_(None) & (
            PublicationVersion.item[("contact", "email")].as_string() == person.email
        )
        naming = or_(naming, legacy)
    return list(db.scalars(select(PublicationVersion).where(naming)))


def republish_without(db: Session, settings: Settings, account_id: int) -> int:
    """Remove a person as public contact everywhere; returns how many live publications got
    a new version without them."""
    person = db.get(Account, account_id)
    if person is None:
        return 0
    affected: set[str] = set()
    for publication in db.scalars(
        select(Publication).where(Publication.contact_account_id == account_id).with_for_update()
    ):
        publication.contact_account_id = None
        publication.contact_consent_at = None
        affected.add(publication.id)
    known = {contact.key(serializer.contact_of_person(person))}
    for version in _versions_naming(db, person):
        if version.item.get("contact") is not None:
            known.add(contact.key(version.item["contact"]))
        # A new dict, so the JSON column sees the change.
        version.item = {**version.item, "contact": None}
        version.contact_account_id = None
        affected.add(version.publication_id)
    count = 0
    for publication_id in sorted(affected):
        entry = feed.get(db, publication_id)
        if entry is None or entry.deleted or contact.key(entry.item.get("contact")) not in known:
            continue
        contact.republish_without_contact(
            db, settings, lock(db, publication_id), actor_id=None, cause="erasure"
        )
        count += 1
    contact.scrub_webhook_bodies(db, affected, known)
    db.flush()
    return count
