"""Destinations: who reads a published project.

The owners choose per publication: everyone (the default: every partner platform, also
ones registered later, and the public), or chosen partners, with or without the public.
"The public" is a destination of its own: readers without a partner key — the page
/p/{id}, the feed and Atom without a key, search engines. A partner reading with its key
gets what was released to it, never what went to the public alone.

The feed keeps who reads each entry now and who ever received it. A reader who had an item
and no longer may (the owners took that destination away, or withdrew the project) reads a
tombstone in its place, at the position of that change: mirrors delete their copy. A
reader who never had it does not see the project at all (404 for a single project).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from app.export import serializer
from app.export.models import (
    FeedEntry,
    FeedRecipient,
    Partner,
    Publication,
    PublicationDestination,
)

PUBLIC: Final = None
Reader = int | None  # a partner's id, or PUBLIC for a reader without a key


@dataclass(frozen=True)
class Audience:
    to_all: bool = True
    public: bool = True
    partners: frozenset[int] = field(default_factory=frozenset)

    def reads(self, reader: Reader) -> bool:
        """Whether this reader is in the audience."""
        if self.to_all:
            return True
        return self.public if reader is PUBLIC else reader in self.partners


EVERYONE = Audience()
NOBODY = Audience(to_all=False, public=False)


def chosen(db: Session, publication: Publication) -> Audience:
    """The destinations the owners chose in the draft."""
    if publication.destinations_all:
        return EVERYONE
    ids = db.scalars(
        select(PublicationDestination.partner_id).where(
            PublicationDestination.publication_id == publication.id
        )
    )
    return Audience(to_all=False, public=publication.destination_public, partners=frozenset(ids))


def choose(
    db: Session, publication: Publication, *, to_all: bool, public: bool, partners: set[int]
) -> None:
    """Store the owners' choice in the draft."""
    publication.destinations_all = to_all
    publication.destination_public = True if to_all else public
    stored = {
        row.partner_id: row
        for row in db.scalars(
            select(PublicationDestination).where(
                PublicationDestination.publication_id == publication.id
            )
        )
    }
    wanted = set() if to_all else partners
    for partner_id, row in stored.items():
        if partner_id not in wanted:
            db.delete(row)
    for partner_id in wanted - set(stored):
        db.add(PublicationDestination(publication_id=publication.id, partner_id=partner_id))
    db.flush()


def _rows(db: Session, publication_id: str) -> dict[int, FeedRecipient]:
    return {
        row.partner_id: row
        for row in db.scalars(
            select(FeedRecipient).where(FeedRecipient.publication_id == publication_id)
        )
    }


def current(db: Session, entry: FeedEntry | None) -> Audience:
    """Who reads the entry's item now (nobody once it is a tombstone)."""
    if entry is None or entry.deleted:
        return NOBODY
    if entry.to_all:
        return EVERYONE
    rows = _rows(db, entry.publication_id)
    ids = frozenset(partner for partner, row in rows.items() if row.current)
    return Audience(to_all=False, public=entry.public, partners=ids)


def received(db: Session, entry: FeedEntry | None) -> Audience:
    """Who ever received the entry's item (they get a tombstone when it goes away)."""
    if entry is None:
        return NOBODY
    if entry.to_all:
        return EVERYONE
    return Audience(
        to_all=False, public=entry.public_seen, partners=frozenset(_rows(db, entry.publication_id))
    )


def narrowed(live: Audience, wanted: Audience) -> Audience:
    """The live audience without what the owners no longer want (nothing added: a wider
    choice waits for the next release)."""
    if wanted.to_all:
        return live
    if live.to_all:
        return wanted
    return Audience(
        to_all=False,
        public=live.public and wanted.public,
        partners=live.partners & wanted.partners,
    )


def apply(db: Session, entry: FeedEntry, audience: Audience, *, fresh: bool) -> None:
    """Make `audience` the entry's readers, remembering everyone who had it."""
    if audience.to_all:
        entry.to_all = entry.public = entry.public_seen = True
        db.flush()
        return
    rows = _rows(db, entry.publication_id)
    if entry.to_all and not fresh:
        # Every partner could read it until now: each keeps a record of that, so the ones
        # no longer chosen read a tombstone.
        for partner_id in db.scalars(select(Partner.id)):
            if partner_id not in rows:
                rows[partner_id] = FeedRecipient(
                    publication_id=entry.publication_id, partner_id=partner_id, current=False
                )
                db.add(rows[partner_id])
    for partner_id in audience.partners:
        if partner_id not in rows:
            rows[partner_id] = FeedRecipient(
                publication_id=entry.publication_id, partner_id=partner_id, current=True
            )
            db.add(rows[partner_id])
    for partner_id, row in rows.items():
        row.current = partner_id in audience.partners
    entry.public_seen = audience.public if fresh else (entry.public_seen or audience.public)
    entry.to_all, entry.public = False, audience.public
    db.flush()


def readable(reader: Reader) -> ColumnElement[bool]:
    """Entries this reader sees at all: their items, or tombstones of what it once had."""
    if reader is PUBLIC:
        return or_(FeedEntry.to_all, FeedEntry.public_seen)
    return or_(
        FeedEntry.to_all,
        exists()
        .where(FeedRecipient.publication_id == FeedEntry.publication_id)
        .where(FeedRecipient.partner_id == reader),
    )


def tombstone_of(entry: FeedEntry) -> dict[str, Any]:
    """The tombstone a reader gets for an entry it may no longer read."""
    if entry.deleted:
        return entry.item
    return serializer.tombstone(
        entry.publication_id, created=entry.created_at, modified=entry.modified_at
    )


def view(db: Session, entries: Iterable[FeedEntry], reader: Reader) -> list[dict[str, Any]]:
    """What the reader gets for each entry: the item, or a tombstone."""
    entries = list(entries)
    chosen_for: set[str] = set()
    if reader is not PUBLIC:
        narrow = [entry.publication_id for entry in entries if not entry.to_all]
        if narrow:
            chosen_for = set(
                db.scalars(
                    select(FeedRecipient.publication_id).where(
                        FeedRecipient.publication_id.in_(narrow),
                        FeedRecipient.partner_id == reader,
                        FeedRecipient.current.is_(True),
                    )
                )
            )
    found = []
    for entry in entries:
        reads = (
            entry.to_all
            or (reader is PUBLIC and entry.public)
            or entry.publication_id in chosen_for
        )
        found.append(entry.item if reads and not entry.deleted else tombstone_of(entry))
    return found


def view_one(db: Session, entry: FeedEntry | None, reader: Reader) -> dict[str, Any] | None:
    """The item or tombstone of one entry for this reader; None if it never had it."""
    if entry is None or not received(db, entry).reads(reader):
        return None
    return view(db, [entry], reader)[0]


def destinations(db: Session) -> list[Partner]:
    """The partner platforms owners can choose, by name (revoked ones are not offered)."""
    return list(db.scalars(select(Partner).where(Partner.active.is_(True)).order_by(Partner.name)))
