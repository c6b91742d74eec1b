"""Attachments: upload to a Vorhaben or a circle's topic, download, the preview of an
image, delete.

Files are only ever served after their parent's visibility check, as downloads
(Content-Disposition: attachment), with nosniff and a sandbox CSP; only an image's
re-encoded preview is shown inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from app.attachments import names, service, storage
from app.attachments.kinds import FIELD, KINDS, refuse
from app.attachments.models import Attachment
from app.auth.deps import Member
from app.circles.models import Topic
from app.config import Settings
from app.core.errors import NotFound, ValidationFailed
from app.i18n import gettext as _
from app.vorhaben.routes import detail_context
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.headers import SANDBOX_POLICY
from app.web.templating import render

router = routing.router(include_in_schema=False)

# The POSTs that carry a file: the request guard lets their bodies grow to the file limit
# (app.main), spooled to disk instead of memory.
UPLOAD_PATHS = re.compile(
    r"/vorhaben/[0-9]+/(anhaenge|comments)|/kreise/[0-9]+/themen/[0-9]+/(anhaenge|kommentare)"
    r"|/nachrichten/([0-9]+|neu)"
)

Upload = Annotated[UploadFile | None, File(alias=FIELD)]


def chosen(upload: UploadFile | None) -> UploadFile | None:
    """The upload, or None when the form was sent without choosing a file."""
    if upload is None or (not upload.filename and not upload.size):
        return None
    return upload


@router.post("/vorhaben/{vorhaben_id:id}/anhaenge")
def upload(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, datei: Upload = None
) -> Response:
    """Attach a file to a Vorhaben; an error comes back on the Vorhaben's page."""
    settings = request.app.state.settings
    file = chosen(datei)
    try:
        if file is None:
            raise refuse(_("Bitte wählen Sie eine Datei aus."))
        service.add_to_vorhaben(db, settings, member, vorhaben_id, file.filename or "", file.file)
    except ValidationFailed as error:
        context = detail_context(db, member, vorhaben_id)
        context["attachment_errors"] = error.errors
        request.state.nav = "vorhaben"
        return render(request, "vorhaben/detail.html", context, status_code=422)
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}#anhaenge", status_code=303)
    flash(request, response, _("Die Datei wurde angehängt."))
    return response


@router.post("/kreise/{circle_id:id}/themen/{topic_id:id}/anhaenge")
def upload_to_topic(
    request: Request,
    circle_id: int,
    topic_id: int,
    member: Member,
    db: DbSession,
    datei: Upload = None,
) -> Response:
    """Attach a file to a topic (its author); an error comes back on the topic's page (the
    message at the top: the topic's page belongs to a higher layer)."""
    settings = request.app.state.settings
    file = chosen(datei)
    back = f"/kreise/{circle_id}/themen/{topic_id}#anhaenge"
    try:
        if file is None:
            raise refuse(_("Bitte wählen Sie eine Datei aus."))
        service.add_to_topic(
            db, settings, member, topic_id, circle_id, file.filename or "", file.file
        )
    except ValidationFailed as error:
        response = RedirectResponse(back, status_code=303)
        flash(request, response, " ".join(error.errors.values()), "error")
        return response
    response = RedirectResponse(back, status_code=303)
    flash(request, response, _("Die Datei wurde angehängt."))
    return response


def _stream(files: storage.Storage, key: str) -> Iterator[bytes]:
    try:
        chunks = files.chunks(key)
        first = next(chunks, b"")
    except FileNotFoundError:
        raise NotFound(_("Diesen Anhang gibt es nicht.")) from None

    def rest() -> Iterator[bytes]:
        yield first
        yield from chunks

    return rest()


def _file_response(chunks: Iterator[bytes], media_type: str, disposition: str) -> Response:
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX_POLICY,
            "Cache-Control": "private, no-store",
        },
    )


def serve(settings: Settings, attachment: Attachment) -> Response:
    """The file as a download (the caller checked who may read it)."""
    kind = KINDS[attachment.kind]
    return _file_response(
        _stream(storage.from_settings(settings), attachment.storage_key),
        kind.media_type,
        names.content_disposition("attachment", attachment.display_name),
    )


def serve_preview(settings: Settings, attachment: Attachment) -> Response:
    """An image's re-encoded preview, inline (the caller checked who may read it)."""
    if attachment.preview_key is None:
        raise NotFound(_("Dieser Anhang hat keine Vorschau."))
    media_type = "image/jpeg" if attachment.kind == "jpeg" else "image/png"
    return _file_response(
        _stream(storage.from_settings(settings), attachment.preview_key), media_type, "inline"
    )


@router.get("/anhaenge/{attachment_id:id}")
def download(request: Request, attachment_id: int, member: Member, db: DbSession) -> Response:
    """The file, as a download, for whoever may see its parent."""
    attachment, _vorhaben = service.readable(db, member, attachment_id)
    return serve(request.app.state.settings, attachment)


@router.get("/anhaenge/{attachment_id:id}/vorschau")
def preview(request: Request, attachment_id: int, member: Member, db: DbSession) -> Response:
    """The re-encoded preview of an image, shown inline (other kinds have none)."""
    attachment, _vorhaben = service.readable(db, member, attachment_id)
    return serve_preview(request.app.state.settings, attachment)


@router.post("/anhaenge/{attachment_id:id}/loeschen")
def delete(request: Request, attachment_id: int, member: Member, db: DbSession) -> Response:
    """Delete an attachment (uploader, editors of the Vorhaben for its own files, moderators)."""
    attachment, parent = service.readable(db, member, attachment_id)
    service.delete_one(db, request.app.state.settings, member, attachment_id)
    anchor = f"kommentar-{attachment.comment_id}" if attachment.comment_id else "anhaenge"
    page = (
        f"/kreise/{parent.circle_id}/themen/{parent.id}"
        if isinstance(parent, Topic)
        else f"/vorhaben/{parent.id}"
    )
    response = RedirectResponse(f"{page}#{anchor}", status_code=303)
    flash(request, response, _("Der Anhang wurde gelöscht."))
    return response
