"""The moderators' side of publications: the review queue, the check that a moderator
does not review their own municipality's publication, and the decision (release, decline,
decline a change). Every release writes a new version into the feed (service.py holds the
owners' side and the state machine)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.fields import reason_text
from app.export import (
    mails,
    service,
)
from app.export.models import Publication, PublicationState
from app.i18n import gettext as _
from app.vorhaben.models import Vorhaben


def self_review(moderator: Account, publication: Publication, vorhaben: Vorhaben | None) -> bool:
    """Whether a moderator would release their own municipality's or their own work."""
    return (
        (
            moderator.municipality_id is not None
            and moderator.municipality_id == publication.municipality_id
        )
        or publication.submitted_by_id == moderator.id
        or (vorhaben is not None and vorhaben.author_id == moderator.id)
    )


def queue(db: Session) -> list[Publication]:
    """Submissions waiting for a moderator, oldest first."""
    return list(
        db.scalars(
            select(Publication)
            .where(Publication.state == PublicationState.SUBMITTED)
            .order_by(Publication.submitted_at)
        )
    )


def decide(
    db: Session,
    settings: Settings,
    moderator: Account,
    publication_id: str,
    decision: str,
    reason: str,
    revision: int | None = None,
) -> Publication:
    """Release or decline a submission (audited, mailed to the submitter).

    `revision` is the draft revision the moderator saw; if the owners saved since, the
    decision is refused, so nothing unseen goes out."""

    if decision not in {"release", "decline"}:
        raise ValidationFailed({"decision": _("Bitte wählen Sie Freigeben oder Ablehnen.")})
    text = reason_text(reason, required=decision == "decline")
    publication = service.lock(db, publication_id)
    if revision is not None and revision != publication.draft_revision:
        raise Conflict(
            _(
                "Die Einreichung wurde geändert, während Sie sie geprüft haben. Bitte laden "
                "Sie die Seite neu und prüfen Sie die aktuelle Fassung."
            )
        )
    if decision == "release":
        if self_review(moderator, publication, service.vorhaben_of(db, publication)):
            raise Forbidden(
                _(
                    "Einreichungen Ihrer eigenen Kommune oder Ihre eigenen geben Sie nicht "
                    "selbst frei; das übernimmt eine andere Person aus der Moderation."
                )
            )
        return service.release(db, settings, publication, moderator, text)
    publication.state = service.transition(
        publication, "decline_change" if publication.live else "decline"
    )
    publication.last_decision = "decline"
    publication.decision_reason = text
    publication.decided_by_id, publication.decided_at = moderator.id, utcnow()
    audit.record(
        db,
        "publication_declined",
        actor_id=moderator.id,
        object_type="publication",
        object_id=publication.id,
        reason=text,
    )
    mails.decided(db, settings, publication, "decline", text)
    db.flush()
    return publication
