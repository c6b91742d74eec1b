"""The files a publication's item lists (issue 20): the draft's choice, as the serializer
writes it into an item, and how a stored item names them. Attachments are read only
through app.attachments.published."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import published
from app.config import Settings
from app.export import schemas
from app.export.models import Publication, PublicationFile


def chosen(db: Session, publication_id: str) -> dict[int, str]:
    """The draft's files: attachment id → licence."""
    rows = db.execute(
        select(PublicationFile.attachment_id, PublicationFile.license_id).where(
            PublicationFile.publication_id == publication_id
        )
    )
    return {row.attachment_id: row.license_id for row in rows}


def url_of(settings: Settings, publication_id: str, attachment_id: int, name: str) -> str:
    return f"{settings.base_url}/p/{publication_id}/dateien/{attachment_id}/{quote(name)}"


def for_item(
    db: Session, settings: Settings, publication: Publication
) -> list[schemas.FileRef] | None:
    """The draft's files as the item lists them (None: none chosen, the item has no
    `files`)."""
    choice = chosen(db, publication.id)
    if not choice or publication.vorhaben_id is None:
        return None
    return [
        schemas.FileRef(
            name=entry.name,
            media_type=entry.media_type,
            size=entry.size,
            license_id=choice[entry.id],
            url=url_of(settings, publication.id, entry.id, entry.name),
        )
        for entry in published.of_vorhaben(db, publication.vorhaben_id, choice)
    ]


def id_of(file: dict[str, Any]) -> int | None:
    parts = str(file.get("url", "")).rsplit("/", 2)
    return int(parts[-2]) if len(parts) == 3 and parts[-2].isdigit() else None


def listed(item: dict[str, Any] | None, attachment_id: int) -> bool:
    """Whether a stored item lists this attachment among its files."""
    files = (item or {}).get("files") or []
    return any(id_of(file) == attachment_id for file in files)
