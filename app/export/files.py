"""Files in a publication (issue 20): the owners choose which of the Vorhaben's own
attachments to publish, each with a licence (SPDX); the choice is part of the draft, goes
through the same review, and a release writes the files into the item (`files`) with a
public URL. Attachments are read only through app.attachments.published (the import
contract `export-never-reads-attachments` allows that one module)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.attachments import published
from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import ValidationFailed
from app.export import feed, live
from app.export.file_items import chosen, id_of
from app.export.models import Publication, PublicationFile
from app.export.service import _locked_of_vorhaben, editable_vorhaben, lock, of_vorhaben
from app.i18n import gettext as _
from app.vorhaben.spdx import IDS as LICENSE_IDS

DEFAULT_LICENSE = "CC-BY-4.0"


@dataclass(frozen=True, slots=True)
class Option:
    """One of the Vorhaben's own files on the owners' form."""

    id: int
    name: str
    size_text: str
    chosen: bool
    license_id: str


def options(db: Session, vorhaben_id: int, publication: Publication | None) -> list[Option]:
    """The Vorhaben's own files with the draft's choice (never a comment's files)."""
    choice = chosen(db, publication.id) if publication is not None else {}
    return [
        Option(
            entry.id,
            entry.name,
            entry.size_text,
            entry.id in choice,
            choice.get(entry.id, DEFAULT_LICENSE),
        )
        for entry in published.own_files(db, vorhaben_id)
    ]


def choose(db: Session, member: Account, vorhaben_id: int, choice: dict[int, str]) -> Publication:
    """Make `choice` (attachment id → SPDX licence) the draft's files. Nothing public
    changes until the next release; a changed choice is a changed draft."""
    editable_vorhaben(db, member, vorhaben_id)
    errors = {
        f"license_{key}": _("Bitte wählen Sie eine Lizenz aus der Liste.")
        for key, licence in choice.items()
        if licence not in LICENSE_IDS
    }
    if errors:
        raise ValidationFailed(errors)
    publication = _locked_of_vorhaben(db, vorhaben_id)
    if publication is None:
        raise ValidationFailed(
            {"files": _("Speichern Sie zuerst den Entwurf; dann können Sie Dateien wählen.")}
        )
    own = {entry.id for entry in published.of_vorhaben(db, vorhaben_id, choice)}
    if own != set(choice):
        raise ValidationFailed({"files": _("Diese Datei gehört nicht zu diesem Vorhaben.")})
    db.execute(delete(PublicationFile).where(PublicationFile.publication_id == publication.id))
    db.add_all(
        PublicationFile(publication_id=publication.id, attachment_id=key, license_id=licence)
        for key, licence in sorted(choice.items())
    )
    publication.updated_at = utcnow()
    publication.draft_revision = (publication.draft_revision or 0) + 1
    db.flush()
    audit.record(
        db,
        "publication_files_chosen",
        actor_id=member.id,
        object_type="publication",
        object_id=publication.id,
        attachment_ids=sorted(choice),
    )
    return publication


def attachments_deleted(db: Session, event: events.AttachmentsDeleted) -> None:
    """Deleted files leave the live version at once (the rows of the draft's choice went
    with the attachments)."""
    publication = of_vorhaben(db, event.vorhaben_id)
    if publication is None:
        return
    entry = feed.get(db, publication.id)
    if entry is None or entry.deleted:
        return
    gone = set(event.attachment_ids)
    files = entry.item.get("files") or []
    kept = [file for file in files if id_of(file) not in gone]
    if len(kept) == len(files):
        return
    live.republish(
        db,
        event.settings,
        lock(db, publication.id),
        {"files": kept},
        actor_id=None,
        action="publication_file_removed",
        attachment_ids=sorted(gone),
    )
