"""Withdrawing publications: by the owners, by a moderator (with a reason, mailed), and
automatically when a Vorhaben is deleted, restricted or hidden. Partners get a tombstone in
the feed and a `project.withdrawn` webhook at once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import InvalidTransition, NotFound
from app.core.fields import reason_text
from app.export import feed, mails, serializer
from app.export.models import Publication, PublicationState
from app.export.service import (
    can_withdraw,
    editable_vorhaben,
    get,
    lock,
    of_vorhaben,
    vorhaben_of,
)
from app.i18n import gettext as _


def withdraw(
    db: Session,
    settings: Settings,
    actor: Account | None,
    publication: Publication,
    reason: str = "",
    *,
    action: str = "publication_withdrawn",
) -> Publication:
    """Take a publication back: partners get a tombstone at once."""
    publication = lock(db, publication.id)
    if not can_withdraw(publication):
        raise InvalidTransition(
            _(
                "Im Zustand „%(state)s“ ist das nicht möglich.",
                state=_(publication.state_label),
            )
        )
    publication.state = PublicationState.WITHDRAWN
    entry = feed.get(db, publication.id)
    if publication.live or (entry is not None and not entry.deleted):
        _tombstone(db, settings, publication)
    audit.record(
        db,
        action,
        actor_id=actor.id if actor else None,
        object_type="publication",
        object_id=publication.id,
        reason=reason or None,
    )
    db.flush()
    return publication


def _tombstone(db: Session, settings: Settings, publication: Publication) -> None:
    entry = feed.get(db, publication.id)
    now = utcnow()
    publication.live = False
    feed.put(
        db,
        settings,
        publication.id,
        serializer.tombstone(
            publication.id, created=entry.created_at if entry else now, modified=now
        ),
        deleted=True,
        event="project.withdrawn",
        at=now,
    )


def withdraw_by_owner(
    db: Session, settings: Settings, member: Account, vorhaben_id: int
) -> Publication:
    """The owners take their publication back."""
    editable_vorhaben(db, member, vorhaben_id)
    publication = of_vorhaben(db, vorhaben_id)
    if publication is None:
        raise NotFound(_("Dieses Vorhaben ist nicht veröffentlicht."))
    return withdraw(db, settings, member, publication)


def withdraw_by_moderator(
    db: Session, settings: Settings, moderator: Account, publication_id: str, reason: str
) -> Publication:
    """A moderator takes a publication back: a reason is required, audited and mailed."""

    text = reason_text(
        reason, missing=_("Bitte geben Sie an, warum Sie die Veröffentlichung zurückziehen.")
    )
    publication = withdraw(
        db,
        settings,
        moderator,
        get(db, publication_id),
        text,
        action="publication_withdrawn_by_moderator",
    )
    mails.withdrawn(db, settings, publication, vorhaben_of(db, publication), text)
    db.flush()
    return publication


def vorhaben_going_away(
    db: Session, settings: Settings, vorhaben_id: int, actor: Account | None, reason: str
) -> None:
    """Before a Vorhaben is deleted, restricted or hidden: a live publication becomes a
    tombstone, and a waiting submission leaves the queue."""
    publication = of_vorhaben(db, vorhaben_id)
    if publication is None:
        return
    if can_withdraw(lock(db, publication.id)):
        withdraw(
            db, settings, actor, publication, reason, action="publication_withdrawn_automatically"
        )
