"""The one seam through which the export reads attachments (the import contract
`export-never-reads-attachments` allows app.export this module and no other).

It offers only a Vorhaben's own files (never a comment's), and only what a publication
needs: their name, media type and size for the owners' choice and the feed item, and the
download of a file the export has decided is public. Which files are public is the
export's decision (the owners' choice, released by the moderators); this module adds the
conditions of the trust space: the file still exists, belongs to that Vorhaben itself, and
the Vorhaben is neither hidden nor shared with fewer than all members.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments import names, storage
from app.attachments.kinds import KINDS
from app.attachments.models import Attachment
from app.attachments.routes import _file_response, _stream
from app.attachments.views import size_text
from app.config import Settings
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import OPEN_SCOPE, scope_of


@dataclass(frozen=True, slots=True)
class PublicFile:
    id: int
    name: str
    media_type: str
    size: int

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def _own(db: Session, vorhaben_id: int, ids: Iterable[int] | None = None) -> list[Attachment]:
    query = select(Attachment).where(
        Attachment.vorhaben_id == vorhaben_id, Attachment.comment_id.is_(None)
    )
    if ids is not None:
        query = query.where(Attachment.id.in_(list(ids)))
    return list(db.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def _described(attachment: Attachment) -> PublicFile:
    return PublicFile(
        attachment.id,
        attachment.display_name,
        KINDS[attachment.kind].media_type,
        attachment.size,
    )


def own_files(db: Session, vorhaben_id: int) -> list[PublicFile]:
    """The Vorhaben's own files, oldest first: what the owners may choose from (the
    caller checked that the member may edit the Vorhaben)."""
    return [_described(attachment) for attachment in _own(db, vorhaben_id)]


def of_vorhaben(db: Session, vorhaben_id: int, ids: Iterable[int]) -> list[PublicFile]:
    """Those of `ids` that are still the Vorhaben's own files, oldest first."""
    return [_described(attachment) for attachment in _own(db, vorhaben_id, ids)]


def download(
    db: Session, settings: Settings, vorhaben_id: int, attachment_id: int
) -> Response | None:
    """A published file as a download with the member download's safe headers
    (Content-Disposition: attachment, nosniff, sandbox CSP); None when it is gone, no
    longer the Vorhaben's own, or the Vorhaben is hidden or not shared with all members."""
    vorhaben = db.get(Vorhaben, vorhaben_id)
    # Open to all members and not hidden (app.vorhaben.visibility's scope of the Vorhaben).
    if vorhaben is None or scope_of(vorhaben.visibility, vorhaben.hidden_at) != OPEN_SCOPE:
        return None
    found = _own(db, vorhaben_id, [attachment_id])
    if not found:
        return None
    attachment = found[0]
    return _file_response(
        _stream(storage.from_settings(settings), attachment.storage_key),
        KINDS[attachment.kind].media_type,
        names.content_disposition("attachment", attachment.display_name),
    )
