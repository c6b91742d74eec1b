"""Partner municipalities are named in a publication only with their consent.

When the owners name a partner in the draft, that municipality is asked (its members get a
mail); a member of it confirms, audited. Until then the partner is not exported. A member
can revoke the consent at any time: a live publication that names the municipality goes out
again without it at once, as when a contact person withdraws."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account
from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.export import feed, live
from app.export.models import ConsentState, PartnerConsent, Publication
from app.i18n import gettext as _
from app.municipalities.models import Municipality
from app.outbox import mail
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import can_see

DECISIONS = ("confirm", "revoke")


def states(db: Session, publication_id: str) -> dict[str, ConsentState]:
    """The consent of each municipality ever named in this publication, by AGS."""
    rows = db.execute(
        select(Municipality.ags, PartnerConsent.state)
        .join(Municipality, Municipality.id == PartnerConsent.municipality_id)
        .where(PartnerConsent.publication_id == publication_id)
    )
    return {row[0]: row[1] for row in rows}


def request_missing(
    db: Session, settings: Settings, publication: Publication, requester: Account
) -> list[PartnerConsent]:
    """Ask every partner named in the draft that was never asked (audited, mailed)."""
    if not publication.partner_ags:
        return []
    asked = set(
        db.scalars(
            select(PartnerConsent.municipality_id).where(
                PartnerConsent.publication_id == publication.id
            )
        )
    )
    named = db.scalars(select(Municipality).where(Municipality.ags.in_(publication.partner_ags)))
    owner = db.get(Municipality, publication.municipality_id)
    created = []
    for municipality in named:
        if municipality.id in asked:
            continue
        consent = PartnerConsent(
            publication_id=publication.id,
            municipality_id=municipality.id,
            state=ConsentState.REQUESTED,
            requested_by_id=requester.id,
            requested_at=utcnow(),
        )
        db.add(consent)
        db.flush()
        audit.record(
            db,
            "partner_consent_requested",
            actor_id=requester.id,
            object_type="publication",
            object_id=publication.id,
            municipality=municipality.ags,
        )
        mail.send_each(
            db,
            settings,
            vorhaben_service.members_of(db, municipality.id),
            name="publication_partner_consent",
            context={"publication": publication, "partner": municipality, "owner": owner},
            about=mail.About(vorhaben=[publication.vorhaben_id])
            if publication.vorhaben_id
            else None,
        )
        created.append(consent)
    return created


@dataclass(frozen=True)
class Request:
    """A consent as the partner municipality's members see it."""

    consent: PartnerConsent
    owner: Municipality
    vorhaben: Vorhaben | None  # None when the reader may not see it (any more)
    public_title: str | None  # the live title, when the publication is public


def of_municipality(db: Session, member: Account) -> list[Request]:
    """The consents asked of the member's municipality, newest first."""
    if member.municipality_id is None:
        return []
    rows = db.execute(
        select(PartnerConsent, Publication)
        .join(Publication, Publication.id == PartnerConsent.publication_id)
        .where(PartnerConsent.municipality_id == member.municipality_id)
        .options(joinedload(Publication.municipality))
        .order_by(PartnerConsent.requested_at.desc(), PartnerConsent.id.desc())
    ).all()
    found = []
    for consent, publication in rows:
        vorhaben = db.get(Vorhaben, publication.vorhaben_id) if publication.vorhaben_id else None
        entry = feed.get(db, publication.id)
        found.append(
            Request(
                consent=consent,
                owner=publication.municipality,
                vorhaben=vorhaben if vorhaben is not None and can_see(member, vorhaben) else None,
                public_title=str(entry.item["title"]) if entry and not entry.deleted else None,
            )
        )
    return found


def decide(
    db: Session, settings: Settings, member: Account, consent_id: int, decision: str
) -> PartnerConsent:
    """Confirm or revoke a consent of the member's own municipality (audited). Revoking
    takes the municipality off the live publication at once."""
    if decision not in DECISIONS:
        raise ValidationFailed({"decision": _("Bitte wählen Sie Zustimmen oder Ablehnen.")})
    consent = db.scalars(
        select(PartnerConsent).where(PartnerConsent.id == consent_id).with_for_update()
    ).one_or_none()
    if consent is None:
        raise NotFound(_("Diese Anfrage gibt es nicht."))
    if not member.is_member or member.municipality_id != consent.municipality_id:
        raise Forbidden(_("Zustimmen können nur Mitglieder der genannten Kommune."))
    target = ConsentState.CONFIRMED if decision == "confirm" else ConsentState.REVOKED
    if consent.state is target:
        return consent
    consent.state = target
    consent.decided_by_id, consent.decided_at = member.id, utcnow()
    audit.record(
        db,
        "partner_consent_given" if decision == "confirm" else "partner_consent_revoked",
        actor_id=member.id,
        object_type="publication",
        object_id=consent.publication_id,
        municipality_id=consent.municipality_id,
    )
    if target is ConsentState.REVOKED:
        _take_off_live(db, settings, consent, member)
    db.flush()
    return consent


def _take_off_live(
    db: Session, settings: Settings, consent: PartnerConsent, member: Account
) -> None:
    municipality = db.get(Municipality, consent.municipality_id)
    entry = feed.get(db, consent.publication_id)
    if municipality is None or entry is None or entry.deleted:
        return
    named = entry.item.get("partner_municipalities") or []
    remaining = [partner for partner in named if partner.get("ags") != municipality.ags]
    if len(remaining) == len(named):
        return
    live.republish(
        db,
        settings,
        _locked(db, consent.publication_id),
        {"partner_municipalities": remaining},
        actor_id=member.id,
        action="publication_partner_removed",
        municipality=municipality.ags,
    )


def _locked(db: Session, publication_id: str) -> Publication:
    # As service.lock (which imports this module): locked, then read fresh.
    return db.scalars(
        select(Publication)
        .where(Publication.id == publication_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
