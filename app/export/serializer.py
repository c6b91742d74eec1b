"""The one serializer of the export layer: publication → feed item (or tombstone).

It reads only the publication's own public fields and the public registry data of the
municipalities; the contact appears only with recorded consent. It never touches the
internal Vorhaben, comments or accounts beyond the consenting contact.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState
from app.config import Settings
from app.core import markdown
from app.export import file_items, schemas, vocabularies
from app.export.models import ConsentState, PartnerConsent, Publication, PublicationImage
from app.municipalities.models import Municipality


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _municipality_ref(entry: Municipality) -> schemas.MunicipalityRef:
    land = entry.land.name if entry.land is not None else entry.name
    return schemas.MunicipalityRef.model_validate(
        {
            "name": entry.name,
            "ags": entry.ags,
            "state": land,
            "level": entry.level.value,
            # Only Gemeinden carry a 12-digit ARS; the key of the other levels is one.
            "ars": entry.ars or entry.ags,
        }
    )


def _municipalities(
    db: Session, ids: list[int] | None = None, ags: list[str] | None = None
) -> list[Municipality]:
    query = select(Municipality).options(joinedload(Municipality.land))
    if ids is not None:
        query = query.where(Municipality.id.in_(ids))
    if ags is not None:
        query = query.where(Municipality.ags.in_(ags))
    return list(db.scalars(query).unique())


def contact_of(db: Session, publication: Publication) -> schemas.Contact | None:
    """The public contact: only with consent, only while the person is an approved member."""
    if publication.contact_account_id is None or publication.contact_consent_at is None:
        return None
    person = db.get(Account, publication.contact_account_id)
    if person is None or person.state is not AccountState.APPROVED:
        return None
    return _contact(person)


def _contact(person: Account) -> schemas.Contact:
    return schemas.Contact(name=person.display_name, position=person.position, email=person.email)


def contact_of_person(person: Account) -> dict[str, Any]:
    """How a person appears as `contact` in an item (to find them again on erasure)."""
    return _contact(person).model_dump(mode="json")


def build_item(
    db: Session,
    settings: Settings,
    publication: Publication,
    *,
    version: int,
    created: dt.datetime,
    modified: dt.datetime,
    published: dt.datetime,
) -> dict[str, Any]:
    """The feed item for the publication's current draft fields."""
    [owner] = _municipalities(db, ids=[publication.municipality_id])
    order = {ags: index for index, ags in enumerate(publication.partner_ags)}
    # Only the partners that agreed to be named (app.export.partner_consent).
    agreed = set(
        db.scalars(
            select(PartnerConsent.municipality_id).where(
                PartnerConsent.publication_id == publication.id,
                PartnerConsent.state == ConsentState.CONFIRMED,
            )
        )
    )
    partners = sorted(
        (
            entry
            for entry in _municipalities(db, ags=list(publication.partner_ags))
            if entry.id in agreed
        ),
        key=lambda entry: order.get(entry.ags, 0),
    )
    repository = publication.repository_url
    open_source = (
        schemas.OpenSource(license=publication.license, repository=repository)
        if publication.license or repository
        else None
    )
    classification = vocabularies.classification(
        db, list(publication.fields_of_action), publication.stage
    )
    keywords = list(
        dict.fromkeys(
            [*publication.tags, *(term.label.de for term in classification.fields_of_action)]
        )
    )
    licence = vocabularies.LICENSES_BY_ID[publication.content_license]
    english = (
        schemas.Translation(title=publication.title_en, summary=publication.summary_en)
        if publication.title_en
        else None
    )
    mailbox = (
        schemas.Mailbox(name=publication.mailbox_name, email=publication.mailbox_email)
        if publication.mailbox_email
        else None
    )
    ai_record = (
        schemas.AIRecord.model_validate(publication.ai_record)
        if publication.ai_record is not None and publication.uses_ai != "none"
        else None
    )
    item = schemas.ProjectItem(
        id=publication.id,
        url=f"{settings.base_url}/p/{publication.id}",
        title=publication.title,
        summary=publication.summary,
        description_html=markdown.render(publication.description),
        stage=publication.stage,
        fields_of_action=list(publication.fields_of_action),
        tags=list(publication.tags),
        municipality=_municipality_ref(owner),
        partner_municipalities=[_municipality_ref(entry) for entry in partners],
        contact=contact_of(db, publication),
        links=schemas.Links(website=publication.website_url, repository=repository),
        open_source=open_source,
        uses_ai=publication.uses_ai,
        created=rfc3339(created),
        modified=rfc3339(modified),
        published=rfc3339(published),
        version=version,
        classification=classification,
        keyword=keywords,
        license=licence.url,
        license_id=licence.id,
        language="de",
        translations=schemas.Translations(en=english),
        seeks_partners=publication.seeks_partners,
        lessons_learned_html=markdown.render(publication.lessons_learned),
        funding_programme=publication.funding_programme,
        start_date=publication.start_date.isoformat() if publication.start_date else None,
        end_date=publication.end_date.isoformat() if publication.end_date else None,
        mailbox=mailbox,
        image=_image(db, settings, publication),
        ai_record=ai_record,
        files=file_items.for_item(db, settings, publication),
    )
    dumped = item.model_dump(mode="json")
    if dumped["files"] is None:  # optional (issue 20): items without files stay as they were
        del dumped["files"]
    return dumped


def _image(db: Session, settings: Settings, publication: Publication) -> schemas.ImageRef | None:
    if publication.image_sha256 is None:
        return None
    stored = db.scalars(
        select(PublicationImage).where(
            PublicationImage.publication_id == publication.id,
            PublicationImage.sha256 == publication.image_sha256,
        )
    ).one_or_none()
    if stored is None:
        return None
    return schemas.ImageRef.model_validate(
        {
            "url": f"{settings.base_url}/p/{publication.id}/bild/{stored.sha256}",
            "alt": publication.image_alt or "",
            "width": stored.width,
            "height": stored.height,
            "media_type": stored.media_type,
        }
    )


def tombstone(
    publication_id: str, *, created: dt.datetime, modified: dt.datetime
) -> dict[str, Any]:
    """What remains of a withdrawn project: id, type, created, modified, deleted."""
    return schemas.Tombstone(
        id=publication_id, created=rfc3339(created), modified=rfc3339(modified)
    ).model_dump(mode="json")
