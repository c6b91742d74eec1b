"""Changing what is live at once, without waiting for a review: a new version of the live
item with some fields changed (a contact taken off, a partner municipality that revoked its
consent), out to the feed and the webhooks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import InvalidTransition
from app.export import feed, serializer
from app.export.models import Publication, PublicationVersion
from app.i18n import gettext as _


def republish(
    db: Session,
    settings: Settings,
    publication: Publication,
    changes: dict[str, Any],
    *,
    actor_id: int | None,
    action: str,
    **details: Any,
) -> int:
    """A new version of the live item with `changes`, out at once; returns its number.
    Everything else stays as released (a draft still waits for review). The caller holds
    the publication's lock (service.lock)."""
    entry = feed.get(db, publication.id)
    if entry is None or entry.deleted:
        raise InvalidTransition(_("Diese Veröffentlichung ist nicht öffentlich."))
    now = utcnow()
    version = publication.released_version + 1
    stamp = serializer.rfc3339(now)
    item = {**entry.item, **changes, "version": version, "modified": stamp, "published": stamp}
    # Whose consent put the contact in, carried over while the contact stays (erasure
    # finds every version naming a person by it).
    named = None
    if item.get("contact") is not None:
        named = db.scalar(
            select(PublicationVersion.contact_account_id).where(
                PublicationVersion.publication_id == publication.id,
                PublicationVersion.version == entry.item["version"],
            )
        )
    publication.released_version = version
    db.add(
        PublicationVersion(
            publication_id=publication.id, version=version, item=item, contact_account_id=named
        )
    )
    feed.put(db, settings, publication.id, item, deleted=False, event="project.updated", at=now)
    audit.record(
        db,
        action,
        actor_id=actor_id,
        object_type="publication",
        object_id=publication.id,
        version=version,
        **details,
    )
    db.flush()
    return version
