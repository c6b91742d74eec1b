"""Published projects for the export benchmark: released versions and feed entries.

Picks Vorhaben visible to all members that have no publication yet and publishes them as a
moderator's release would: the public fields copied from the Vorhaben, the feed item built
by the export layer's own serializer (`app.export.serializer.build_item`), one released
version, one feed entry each with consecutive sequence numbers in order of release. No
webhook messages are written: nobody is subscribed while a benchmark database is seeded.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import AccountState
from app.config import Settings
from app.export import serializer
from app.export.models import (
    FeedCounter,
    FeedEntry,
    Publication,
    PublicationState,
    PublicationVersion,
)
from app.vorhaben.models import Visibility, Vorhaben

BATCH = 1_000
CONTACT_SHARE = 0.4  # share of publications whose author consented to be the contact


def _candidates(db: Session, count: int, rng: random.Random) -> list[int]:
    published = select(Publication.vorhaben_id).where(Publication.vorhaben_id.is_not(None))
    ids = list(
        db.scalars(
            select(Vorhaben.id)
            .where(
                Vorhaben.visibility == Visibility.MEMBERS,
                Vorhaben.hidden_at.is_(None),
                Vorhaben.id.not_in(published),
            )
            .order_by(Vorhaben.id)
        )
    )
    if count >= len(ids):
        return ids
    return sorted(rng.sample(ids, count))


def _publish_batch(
    db: Session,
    settings: Settings,
    rng: random.Random,
    vorhaben_ids: list[int],
    first_seq: int,
    moments: list[dt.datetime],
) -> None:
    rows = db.scalars(
        select(Vorhaben)
        .where(Vorhaben.id.in_(vorhaben_ids))
        .options(
            selectinload(Vorhaben.fields),
            selectinload(Vorhaben.tags),
            selectinload(Vorhaben.partners),
            selectinload(Vorhaben.author),
        )
    )
    by_id = {row.id: row for row in rows}
    for offset, vorhaben_id in enumerate(vorhaben_ids):
        vorhaben = by_id[vorhaben_id]
        released = moments[offset]
        author = vorhaben.author
        consenting = (
            author is not None
            and author.state is AccountState.APPROVED
            and rng.random() < CONTACT_SHARE
        )
        publication = Publication(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            vorhaben_id=vorhaben.id,
            municipality_id=vorhaben.municipality_id,
            state=PublicationState.PUBLISHED,
            live=True,
            title=vorhaben.title,
            summary=vorhaben.summary,
            description=vorhaben.description,
            stage=vorhaben.stage.value,
            fields_of_action=[entry.slug for entry in vorhaben.fields],
            tags=list(vorhaben.tag_names),
            website_url=vorhaben.website_url,
            repository_url=vorhaben.repository_url,
            license=vorhaben.license,
            uses_ai=vorhaben.uses_ai.value,
            partner_ags=[entry.ags for entry in vorhaben.partners],
            contact_account_id=author.id if consenting and author else None,
            contact_consent_at=released if consenting else None,
            created_at=released,
            updated_at=released,
            submitted_at=released,
            submitted_by_id=vorhaben.author_id,
            decided_at=released,
            released_version=1,
        )
        db.add(publication)
        item = serializer.build_item(
            db,
            settings,
            publication,
            version=1,
            created=released,
            modified=released,
            published=released,
        )
        db.add(
            PublicationVersion(
                publication_id=publication.id, version=1, item=item, released_at=released
            )
        )
        db.add(
            FeedEntry(
                publication_id=publication.id,
                seq=first_seq + offset,
                deleted=False,
                item=item,
                created_at=released,
                modified_at=released,
            )
        )


def seed_publications(
    engine: Engine,
    settings: Settings,
    count: int,
    *,
    out: Callable[[str], None],
    seed_value: int = 42,
    now: dt.datetime | None = None,
) -> int:
    """Publish `count` Vorhaben (or as many as qualify); returns how many were published."""
    rng = random.Random(seed_value + 5)  # noqa: S311 - sample data, not secrets
    moment = now or dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with Session(engine) as db:
        chosen = _candidates(db, count, rng)
        if len(chosen) < count:
            out(f"only {len(chosen):,} Vorhaben can be published (visible to all members)")
        # Releases spread over the last two years (after anything already in the feed), in
        # order of sequence number, as `modified_since` expects.
        earliest = moment - dt.timedelta(days=730)
        latest = db.scalar(select(func.max(FeedEntry.modified_at)))
        if latest is not None and latest >= earliest:
            earliest = min(latest + dt.timedelta(seconds=1), moment)
        span = moment - earliest
        moments = sorted(earliest + span * rng.random() for _ in chosen)
        counter = db.get(FeedCounter, 1)
        if counter is None:
            counter = FeedCounter(id=1, value=0)
            db.add(counter)
        done = 0
        for start in range(0, len(chosen), BATCH):
            batch = chosen[start : start + BATCH]
            first_seq = counter.value + 1
            _publish_batch(db, settings, rng, batch, first_seq, moments[start : start + BATCH])
            counter.value += len(batch)
            db.commit()
            db.expunge_all()
            counter = db.get(FeedCounter, 1) or counter
            done += len(batch)
            if done % 10_000 == 0 or done == len(chosen):
                out(f"published {done:,} of {len(chosen):,}")
    return len(chosen)
