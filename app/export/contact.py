"""The public contact of a live publication: who the live version names, and taking them
off at once (consent withdrawn, person erased) in a new version that goes out without
waiting for review, together with the webhook bodies that could still carry them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.export import feed, live
from app.export.models import Publication, PublicationVersion
from app.outbox.models import Channel, OutboxMessage


def key(contact: Any) -> str:
    """A contact as comparable text (to find the same contact in stored items)."""
    return json.dumps(contact, sort_keys=True, ensure_ascii=False)


def shows_as_contact(db: Session, publication_id: str, account_id: int) -> bool:
    """Whether the live version names this person as its public contact."""
    entry = feed.get(db, publication_id)
    if entry is None or entry.deleted or entry.item.get("contact") is None:
        return False
    named = db.scalar(
        select(PublicationVersion.contact_account_id).where(
            PublicationVersion.publication_id == publication_id,
            PublicationVersion.version == entry.item["version"],
        )
    )
    return named == account_id


def republish_without_contact(
    db: Session,
    settings: Settings,
    publication: Publication,
    *,
    actor_id: int | None,
    cause: str,
) -> int:
    """A new version of the live item without its contact, out at once (feed, webhooks);
    returns its number. The caller holds the publication's lock (service.lock)."""
    return live.republish(
        db,
        settings,
        publication,
        {"contact": None},
        actor_id=actor_id,
        action="publication_contact_removed",
        cause=cause,
    )


def withdraw_consent(
    db: Session, settings: Settings, publication: Publication, account_id: int
) -> None:
    """The person the live version names took their consent back: a version without them
    goes out now, and no webhook waiting or kept for a redelivery carries them any more.
    Earlier released versions stay on record as released (erasure removes them there)."""
    named = db.scalars(
        select(PublicationVersion.item).where(
            PublicationVersion.publication_id == publication.id,
            PublicationVersion.contact_account_id == account_id,
        )
    )
    known = {key(item["contact"]) for item in named if item.get("contact") is not None}
    republish_without_contact(
        db, settings, publication, actor_id=account_id, cause="consent_withdrawn"
    )
    scrub_webhook_bodies(db, {publication.id}, known)


def scrub_webhook_bodies(db: Session, publication_ids: set[str], known: set[str]) -> None:
    """Webhook bodies naming one of the `known` contacts: waiting ones go out without
    them, sent ones are kept without them (a redelivery must not bring them back)."""
    if not publication_ids or not known:
        return
    rows = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.channel == Channel.WEBHOOK,
            OutboxMessage.ordering_key.in_(sorted(publication_ids)),
        )
    )
    for row in rows:
        body = json.loads(str(row.payload.get("body", "{}")))
        data = body.get("data")
        if not isinstance(data, dict) or key(data.get("contact")) not in known:
            continue
        body["data"] = {**data, "contact": None}
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        row.payload = {**row.payload, "body": text}
