"""Publications: the owners' draft, submission, the moderators' release or decline (taking
them back is in withdrawal.py). Every release writes a new version into the feed.

State machine: draft → submitted → published; submitted → draft (declined, nothing live);
published → submitted (a change waiting for release, the old version stays public);
submitted → published (a declined change of a live publication: the released version
stays, the owners keep their draft); published/submitted → withdrawn; withdrawn →
submitted (publishing again).

`live` says whether the feed carries a released version. Whatever the state, a live
publication can be withdrawn and goes away with its Vorhaben.

Every verb locks the publication row first (PostgreSQL: SELECT … FOR UPDATE; SQLite: write
transactions begin IMMEDIATE), so two releases at once cannot compute the same version.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.export import (
    audience,
    contact,
    feed,
    forms,
    images,
    mails,
    partner_consent,
    serializer,
    vocabularies,
)
from app.export.eligibility import owner_outside_registry
from app.export.models import Publication, PublicationState, PublicationVersion
from app.i18n import gettext as _
from app.vorhaben import service as vorhaben_service
from app.vorhaben import validation
from app.vorhaben.models import AI_RECORD_TEXTS, FieldOfAction, Visibility, Vorhaben

TRANSITIONS: dict[tuple[PublicationState, str], PublicationState] = {
    (PublicationState.DRAFT, "submit"): PublicationState.SUBMITTED,
    (PublicationState.PUBLISHED, "submit"): PublicationState.SUBMITTED,
    (PublicationState.WITHDRAWN, "submit"): PublicationState.SUBMITTED,
    (PublicationState.SUBMITTED, "release"): PublicationState.PUBLISHED,
    (PublicationState.SUBMITTED, "decline"): PublicationState.DRAFT,
    (PublicationState.SUBMITTED, "decline_change"): PublicationState.PUBLISHED,
    (PublicationState.PUBLISHED, "withdraw"): PublicationState.WITHDRAWN,
    (PublicationState.SUBMITTED, "withdraw"): PublicationState.WITHDRAWN,
}


def transition(publication: Publication, verb: str) -> PublicationState:
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


def lock(db: Session, publication_id: str) -> Publication:
    """The publication, locked until the transaction ends and read fresh after the lock."""
    publication = db.scalars(
        select(Publication)
        .where(Publication.id == publication_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if publication is None:
        raise NotFound(_("Diese Veröffentlichung gibt es nicht."))
    return publication


def can_withdraw(publication: Publication) -> bool:
    """A live publication can always be taken back, and so can a waiting submission."""
    return publication.live or publication.state in (
        PublicationState.PUBLISHED,
        PublicationState.SUBMITTED,
    )


def _slugs(db: Session) -> dict[int, str]:
    return {row.id: row.slug for row in db.execute(select(FieldOfAction.id, FieldOfAction.slug))}


def form_for(
    db: Session,
    vorhaben: Vorhaben,
    publication: Publication | None,
    member: Account | None = None,
) -> forms.PublicationForm:
    """The form: the saved draft, or a proposal taken from the Vorhaben on first visit.

    The consent box shows only the member's own consent: consent is personal, and a
    colleague must never see a box ticked in their name."""
    if publication is None:
        record = vorhaben.ai_record
        return forms.PublicationForm(
            destinations="all",
            destination_public=True,
            content_license=vocabularies.DEFAULT_LICENSE,
            seeks_partners=vorhaben.looking_for_partners,
            lessons_learned=vorhaben.lessons_learned,
            funding_programme=vorhaben.funding_programme or "",
            start_date=vorhaben.start_date.isoformat() if vorhaben.start_date else "",
            end_date=vorhaben.end_date.isoformat() if vorhaben.end_date else "",
            ai_record=vorhaben.uses_any_ai and record is not None and not record.is_empty,
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
        contact_consent=member is not None
        and publication.contact_consent_at is not None
        and publication.contact_account_id == member.id,
        content_license=publication.content_license,
        seeks_partners=publication.seeks_partners,
        lessons_learned=publication.lessons_learned,
        funding_programme=publication.funding_programme or "",
        start_date=publication.start_date.isoformat() if publication.start_date else "",
        end_date=publication.end_date.isoformat() if publication.end_date else "",
        title_en=publication.title_en,
        summary_en=publication.summary_en,
        mailbox_name=publication.mailbox_name or "",
        mailbox_email=publication.mailbox_email or "",
        ai_record=publication.ai_record is not None,
        destinations="all" if publication.destinations_all else "chosen",
        destination_public=publication.destination_public,
        destination_partners=[
            str(key) for key in sorted(audience.chosen(db, publication).partners)
        ],
    )


def contact_person(db: Session, publication: Publication | None) -> Account | None:
    """The member whose consent makes them the public contact of this draft, if any."""
    if publication is None or publication.contact_account_id is None:
        return None
    if publication.contact_consent_at is None:
        return None
    return db.get(Account, publication.contact_account_id)


def editable_vorhaben(db: Session, member: Account, vorhaben_id: int) -> Vorhaben:
    vorhaben = vorhaben_service.get(db, member, vorhaben_id)
    if not vorhaben_service.can_edit(member, vorhaben):
        raise Forbidden(
            _("Veröffentlichen können Mitglieder der Kommune, der das Vorhaben gehört.")
        )
    return vorhaben


def _locked_of_vorhaben(db: Session, vorhaben_id: int) -> Publication | None:
    # Locking the Vorhaben row first serializes two first saves, which would otherwise
    # both create a publication and one would fail on the unique vorhaben_id.
    db.execute(select(Vorhaben.id).where(Vorhaben.id == vorhaben_id).with_for_update())
    publication = of_vorhaben(db, vorhaben_id)
    return lock(db, publication.id) if publication is not None else None


def save(
    db: Session,
    settings: Settings,
    member: Account,
    vorhaben_id: int,
    form: forms.PublicationForm,
) -> Publication:
    """Save the draft; nothing of it becomes public by saving, except a withdrawn consent.

    Consent is personal: ticking the box makes the member who ticks it the contact (in
    place of a colleague who consented before); saving without the tick withdraws only
    the member's own consent and leaves a colleague's as it is. A withdrawn consent
    takes the member off the live project at once, in a new version without a contact
    (the rest of the draft still waits for release)."""
    vorhaben = editable_vorhaben(db, member, vorhaben_id)
    if problem := owner_outside_registry(db, vorhaben.municipality_id):
        raise ValidationFailed({"visibility": problem})
    data, errors = forms.clean(
        form,
        validation.known_field_ids(db),
        {entry.ags for entry in vorhaben.partners},
        lambda address: _is_personal(db, address),
        {partner.id for partner in audience.destinations(db)},
    )
    if data is None:
        raise ValidationFailed(errors)
    publication = _locked_of_vorhaben(db, vorhaben.id)
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
    publication.content_license = (
        data.content_license or publication.content_license or vocabularies.DEFAULT_LICENSE
    )
    publication.seeks_partners = data.seeks_partners
    publication.lessons_learned = data.lessons_learned
    publication.funding_programme = data.funding_programme
    publication.start_date, publication.end_date = data.start_date, data.end_date
    publication.title_en, publication.summary_en = data.title_en, data.summary_en
    publication.mailbox_name, publication.mailbox_email = data.mailbox_name, data.mailbox_email
    publication.ai_record = _ai_record_of(vorhaben) if data.ai_record else None
    if data.destinations:
        db.flush()  # a new publication's row, before its destinations refer to it
        audience.choose(
            db,
            publication,
            to_all=data.destinations == "all",
            public=data.destination_public,
            partners=set(data.destination_partners),
        )
    if data.contact_consent:
        if publication.contact_account_id != member.id or publication.contact_consent_at is None:
            publication.contact_account_id = member.id
            publication.contact_consent_at = utcnow()
    elif publication.contact_account_id == member.id or publication.contact_account_id is None:
        publication.contact_account_id = None
        publication.contact_consent_at = None
    publication.updated_at = utcnow()
    publication.draft_revision = (publication.draft_revision or 0) + 1
    db.flush()
    partner_consent.request_missing(db, settings, publication, member)
    _narrow_live(db, settings, publication, member)
    if not data.contact_consent and contact.shows_as_contact(db, publication.id, member.id):
        contact.withdraw_consent(db, settings, publication, member.id)
    return publication


def _narrow_live(
    db: Session, settings: Settings, publication: Publication, member: Account
) -> None:
    """Destinations the owners took away lose the live version at once (they read a
    tombstone); added ones wait for the next release, like every other change."""
    entry = feed.get(db, publication.id)
    if entry is None or entry.deleted:
        return
    live = audience.current(db, entry)
    narrower = audience.narrowed(live, audience.chosen(db, publication))
    if narrower == live:
        return
    feed.put(
        db,
        settings,
        publication.id,
        entry.item,
        deleted=False,
        event="project.updated",
        at=utcnow(),
        audience=narrower,
        notify_unchanged=False,
    )
    audit.record(
        db,
        "publication_destinations_narrowed",
        actor_id=member.id,
        object_type="publication",
        object_id=publication.id,
        public=narrower.public,
        partners=sorted(narrower.partners),
        all=narrower.to_all,
    )


def _is_personal(db: Session, address: str) -> bool:
    """Whether an address is a member's own (case-insensitive)."""
    return (
        db.scalar(select(Account.id).where(func.lower(Account.email) == address.lower()).limit(1))
        is not None
    )


def _ai_record_of(vorhaben: Vorhaben) -> dict[str, Any] | None:
    """The Vorhaben's AI record as the draft keeps it (None if nothing was recorded)."""
    record = vorhaben.ai_record
    if record is None or record.is_empty:
        return None
    values: dict[str, Any] = {name: getattr(record, name) or "" for name in AI_RECORD_TEXTS}
    values["risk_class"] = record.risk_class.value if record.risk_class else None
    return values


def change_image(
    db: Session, member: Account, vorhaben_id: int, action: str, upload: bytes, alt: str
) -> Publication:
    """Upload, re-describe or remove the draft's image (nothing public changes until the
    next release). A changed image is a changed draft: a review of the older one is refused."""
    editable_vorhaben(db, member, vorhaben_id)
    publication = _locked_of_vorhaben(db, vorhaben_id)
    if publication is None:
        raise ValidationFailed(
            {"image": _("Speichern Sie zuerst den Entwurf; dann können Sie ein Bild hinzufügen.")}
        )
    if action == "remove":
        images.detach(db, publication, actor_id=member.id)
    elif upload:
        images.attach(db, publication, upload, alt, actor_id=member.id)
    else:
        images.set_alt(db, publication, alt)
    publication.updated_at = utcnow()
    publication.draft_revision = (publication.draft_revision or 0) + 1
    db.flush()
    return publication


def is_public_contact(db: Session, vorhaben_id: int, member: Account) -> bool:
    """Whether the member is the contact the live publication of this Vorhaben shows."""
    publication = of_vorhaben(db, vorhaben_id)
    return publication is not None and contact.shows_as_contact(db, publication.id, member.id)


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
    vorhaben = editable_vorhaben(db, member, vorhaben_id)
    if problem := not_publishable(vorhaben):
        raise ValidationFailed({"visibility": problem})
    publication = save(db, settings, member, vorhaben_id, form)
    publication.state = transition(publication, "submit")
    publication.submitted_at = utcnow()
    publication.submitted_by_id = member.id
    publication.decision_reason = None
    publication.last_decision = None
    audit.record(
        db,
        "publication_submitted",
        actor_id=member.id,
        object_type="publication",
        object_id=publication.id,
        vorhaben_id=vorhaben.id,
    )
    if not settings.publication_review:
        return release(db, settings, publication, None, "")
    mails.submitted(db, settings, publication)
    db.flush()
    return publication


def not_publishable(vorhaben: Vorhaben | None) -> str | None:
    """Why this Vorhaben cannot go public now (None if it can)."""
    if vorhaben is None:
        return _("Das Vorhaben gibt es nicht mehr.")
    if vorhaben.hidden_at is not None:
        return _(
            "Die Moderation hat dieses Vorhaben ausgeblendet. Solange es ausgeblendet ist, "
            "kann es nicht veröffentlicht werden."
        )
    if vorhaben.visibility is not Visibility.MEMBERS:
        return _(
            "Ein Vorhaben, das nicht alle Mitglieder sehen (nur Ihre Kommune, Ihre "
            "Partnerkommunen oder ein Kreis), kann nicht veröffentlicht werden. Teilen Sie es "
            "zuerst mit allen Mitgliedern."
        )
    return None


def vorhaben_of(db: Session, publication: Publication) -> Vorhaben | None:
    """The Vorhaben behind a publication (None once deleted)."""
    if publication.vorhaben_id is None:
        return None
    return db.get(Vorhaben, publication.vorhaben_id)


def release(
    db: Session,
    settings: Settings,
    publication: Publication,
    moderator: Account | None,
    reason: str,
) -> Publication:
    target = transition(publication, "release")
    if problem := not_publishable(vorhaben_of(db, publication)):
        raise InvalidTransition(problem)
    if problem := owner_outside_registry(db, publication.municipality_id):
        raise InvalidTransition(problem)
    publication.state = target
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
    publication.last_decision = "release"
    publication.decision_reason = reason or None
    publication.decided_by_id = moderator.id if moderator else None
    publication.decided_at = now
    db.add(
        PublicationVersion(
            publication_id=publication.id,
            version=version,
            item=item,
            released_by_id=moderator.id if moderator else None,
            contact_account_id=publication.contact_account_id if item["contact"] else None,
        )
    )
    # After a withdrawal partners have deleted their copy: it comes back as published.
    feed.put(
        db,
        settings,
        publication.id,
        item,
        deleted=False,
        event="project.updated" if was_live else "project.published",
        at=now,
        audience=audience.chosen(db, publication),
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
