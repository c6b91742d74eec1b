"""Publications: the owners' draft, submission, the moderators' release or decline, and
withdrawal. Every release writes a new version into the feed; every withdrawal a tombstone.

State machine: draft → submitted → published; submitted → draft (declined, with reason);
published → submitted (a change waiting for release, the old version stays public);
published/submitted → withdrawn; withdrawn → submitted (publishing again).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.export import feed, forms, mails, serializer
from app.export.models import Publication, PublicationState, PublicationVersion
from app.i18n import gettext as _
from app.membership.models import Account
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import FieldOfAction, Visibility, Vorhaben

TRANSITIONS: dict[tuple[PublicationState, str], PublicationState] = {
    (PublicationState.DRAFT, "submit"): PublicationState.SUBMITTED,
    (PublicationState.PUBLISHED, "submit"): PublicationState.SUBMITTED,
    (PublicationState.WITHDRAWN, "submit"): PublicationState.SUBMITTED,
    (PublicationState.SUBMITTED, "release"): PublicationState.PUBLISHED,
    (PublicationState.SUBMITTED, "decline"): PublicationState.DRAFT,
    (PublicationState.PUBLISHED, "withdraw"): PublicationState.WITHDRAWN,
    (PublicationState.SUBMITTED, "withdraw"): PublicationState.WITHDRAWN,
}


def _transition(publication: Publication, verb: str) -> PublicationState:
    target = TRANSITIONS.get((publication.state, verb))
    if target is None:
        raise InvalidTransition(
            _(
                "Im Zustand „%(state)s“ ist das nicht möglich.",
                state=_(publication.state_label),
            )
        )
    return target


def of_vorhaben(db: Session, vorhaben_id: int) -> Publication | None:
    return db.scalars(
        select(Publication).where(Publication.vorhaben_id == vorhaben_id)
    ).one_or_none()


def get(db: Session, publication_id: str) -> Publication:
    publication = db.get(Publication, publication_id)
    if publication is None:
        raise NotFound(_("Diese Veröffentlichung gibt es nicht."))
    return publication


def _slugs(db: Session) -> dict[int, str]:
    return {row.id: row.slug for row in db.execute(select(FieldOfAction.id, FieldOfAction.slug))}


def form_for(
    db: Session, vorhaben: Vorhaben, publication: Publication | None
) -> forms.PublicationForm:
    """The form: the saved draft, or a proposal taken from the Vorhaben on first visit."""
    if publication is None:
        return forms.PublicationForm(
            title=vorhaben.title,
            summary=vorhaben.summary,
            description=vorhaben.description,
            stage=vorhaben.stage.value,
            fields_of_action=[str(entry.id) for entry in vorhaben.fields],
            tags=", ".join(vorhaben.tag_names),
            website_url=vorhaben.website_url or "",
            repository_url=vorhaben.repository_url or "",
            license=vorhaben.license or "",
            uses_ai=vorhaben.uses_ai.value,
            partner_municipalities=[entry.ags for entry in vorhaben.partners],
        )
    ids = {slug: key for key, slug in _slugs(db).items()}
    return forms.PublicationForm(
        title=publication.title,
        summary=publication.summary,
        description=publication.description,
        stage=publication.stage,
        fields_of_action=[str(ids[slug]) for slug in publication.fields_of_action if slug in ids],
        tags=", ".join(publication.tags),
        website_url=publication.website_url or "",
        repository_url=publication.repository_url or "",
        license=publication.license or "",
        uses_ai=publication.uses_ai,
        partner_municipalities=list(publication.partner_ags),
        contact_consent=publication.contact_consent_at is not None,
    )


def _editable_vorhaben(db: Session, member: Account, vorhaben_id: int) -> Vorhaben:
    vorhaben = vorhaben_service.get(db, member, vorhaben_id)
    if not vorhaben_service.can_edit(member, vorhaben):
        raise Forbidden(
            _("Veröffentlichen können Mitglieder der Kommune, der das Vorhaben gehört.")
        )
    return vorhaben


def save(
    db: Session, member: Account, vorhaben_id: int, form: forms.PublicationForm
) -> Publication:
    """Save the draft (nothing becomes public by saving)."""
    vorhaben = _editable_vorhaben(db, member, vorhaben_id)
    data, errors = forms.clean(
        form, vorhaben_service.known_field_ids(db), {entry.ags for entry in vorhaben.partners}
    )
    if data is None:
        raise ValidationFailed(errors)
    publication = of_vorhaben(db, vorhaben.id)
    if publication is None:
        publication = Publication(
            id=str(uuid.uuid4()), vorhaben_id=vorhaben.id, municipality_id=vorhaben.municipality_id
        )
        db.add(publication)
    slugs = _slugs(db)
    publication.title = data.title
    publication.summary = data.summary
    publication.description = data.description
    publication.stage = data.stage
    publication.fields_of_action = [slugs[key] for key in data.field_ids if key in slugs]
    publication.tags = data.tags
    publication.website_url = data.website_url
    publication.repository_url = data.repository_url
    publication.license = data.license
    publication.uses_ai = data.uses_ai
    publication.partner_ags = data.partner_ags
    # Consent is personal: ticking the box makes the person who ticks it the contact.
    if data.contact_consent:
        if publication.contact_account_id != member.id or publication.contact_consent_at is None:
            publication.contact_account_id = member.id
            publication.contact_consent_at = utcnow()
    elif publication.contact_account_id == member.id or publication.contact_account_id is None:
        publication.contact_account_id = None
        publication.contact_consent_at = None
    publication.updated_at = utcnow()
    db.flush()
    return publication


def preview(db: Session, settings: Settings, publication: Publication) -> dict[str, Any]:
    """Exactly the item partners would get if this draft were released now."""
    now = utcnow()
    entry = feed.get(db, publication.id)
    return serializer.build_item(
        db,
        settings,
        publication,
        version=publication.released_version + 1,
        created=entry.created_at if entry else now,
        modified=now,
        published=now,
    )


def submit(
    db: Session, settings: Settings, member: Account, vorhaben_id: int, form: forms.PublicationForm
) -> Publication:
    """Save and submit for review (or release at once when review is switched off)."""
    vorhaben = _editable_vorhaben(db, member, vorhaben_id)
    if vorhaben.visibility is not Visibility.MEMBERS:
        raise ValidationFailed(
            {
                "visibility": _(
                    "Ein Vorhaben, das nur Ihre Kommune sieht, kann nicht veröffentlicht werden. "
                    "Teilen Sie es zuerst mit allen Mitgliedern."
                )
            }
        )
    publication = save(db, member, vorhaben_id, form)
    publication.state = _transition(publication, "submit")
    publication.submitted_at = utcnow()
    publication.submitted_by_id = member.id
    publication.decision_reason = None
    audit.record(
        db,
        "publication_submitted",
        actor_id=member.id,
        object_type="publication",
        object_id=publication.id,
        vorhaben_id=vorhaben.id,
    )
    if not settings.publication_review:
        return _release(db, settings, publication, None, "")
    mails.submitted(db, settings, publication)
    db.flush()
    return publication


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
) -> Publication:
    """Release or decline a submission (audited, mailed to the submitter)."""
    from app.membership.service import REASON_MAX, check_text

    if decision not in {"release", "decline"}:
        raise ValidationFailed({"decision": _("Bitte wählen Sie Freigeben oder Ablehnen.")})
    errors: dict[str, str] = {}
    text = check_text(
        errors,
        "reason",
        reason,
        limit=REASON_MAX,
        required=decision == "decline",
        missing=_("Bitte geben Sie eine Begründung an."),
    )
    if errors:
        raise ValidationFailed(errors)
    publication = get(db, publication_id)
    if decision == "release":
        return _release(db, settings, publication, moderator, text)
    publication.state = _transition(publication, "decline")
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


def _release(
    db: Session,
    settings: Settings,
    publication: Publication,
    moderator: Account | None,
    reason: str,
) -> Publication:
    publication.state = _transition(publication, "release")
    was_live = publication.live
    now = utcnow()
    version = publication.released_version + 1
    entry = feed.get(db, publication.id)
    item = serializer.build_item(
        db,
        settings,
        publication,
        version=version,
        created=entry.created_at if entry else now,
        modified=now,
        published=now,
    )
    publication.released_version = version
    publication.live = True
    publication.decision_reason = reason or None
    publication.decided_by_id = moderator.id if moderator else None
    publication.decided_at = now
    db.add(
        PublicationVersion(
            publication_id=publication.id,
            version=version,
            item=item,
            released_by_id=moderator.id if moderator else None,
        )
    )
    feed.put(
        db,
        settings,
        publication.id,
        item,
        deleted=False,
        event="project.updated" if was_live or entry is not None else "project.published",
    )
    audit.record(
        db,
        "publication_released",
        actor_id=moderator.id if moderator else None,
        object_type="publication",
        object_id=publication.id,
        version=version,
        reason=reason or None,
        review=moderator is not None,
    )
    mails.decided(db, settings, publication, "release", reason)
    db.flush()
    return publication


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
    publication.state = _transition(publication, "withdraw")
    if publication.live or feed.get(db, publication.id) is not None:
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
    )


def withdraw_by_owner(
    db: Session, settings: Settings, member: Account, vorhaben_id: int
) -> Publication:
    """The owners take their publication back."""
    _editable_vorhaben(db, member, vorhaben_id)
    publication = of_vorhaben(db, vorhaben_id)
    if publication is None:
        raise NotFound(_("Dieses Vorhaben ist nicht veröffentlicht."))
    return withdraw(db, settings, member, publication)


def vorhaben_going_away(
    db: Session, settings: Settings, vorhaben_id: int, actor: Account | None, reason: str
) -> None:
    """Before a Vorhaben is deleted or restricted: its live publication becomes a tombstone."""
    publication = of_vorhaben(db, vorhaben_id)
    if publication is None:
        return
    if publication.state in (PublicationState.PUBLISHED, PublicationState.SUBMITTED):
        withdraw(
            db, settings, actor, publication, reason, action="publication_withdrawn_automatically"
        )


def republish_without(db: Session, settings: Settings, account_id: int) -> int:
    """A new version without the contact for every live publication naming this person."""
    count = 0
    for publication in db.scalars(
        select(Publication).where(Publication.contact_account_id == account_id)
    ):
        publication.contact_account_id = None
        publication.contact_consent_at = None
        if publication.live:
            last = db.scalars(
                select(PublicationVersion)
                .where(PublicationVersion.publication_id == publication.id)
                .order_by(PublicationVersion.version.desc())
                .limit(1)
            ).one()
            now = utcnow()
            version = publication.released_version + 1
            stamp = serializer.rfc3339(now)
            item = {
                **last.item,
                "contact": None,
                "version": version,
                "modified": stamp,
                "published": stamp,
            }
            publication.released_version = version
            db.add(PublicationVersion(publication_id=publication.id, version=version, item=item))
            feed.put(db, settings, publication.id, item, deleted=False, event="project.updated")
            audit.record(
                db,
                "publication_contact_removed",
                actor_id=None,
                object_type="publication",
                object_id=publication.id,
                version=version,
            )
            count += 1
    db.flush()
    return count
