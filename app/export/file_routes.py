"""The owners choose which of the Vorhaben's own files go into the publication, each with
a licence (app.export.files); nothing public changes until the next release."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.auth.deps import Member
from app.core.errors import DomainError, ValidationFailed
from app.export import files
from app.export.routes import _page
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash

router = routing.router(include_in_schema=False)
MAX_FILES = 200  # more than a Vorhaben's limit can hold; bounds a hostile form


async def _file_choice(request: Request) -> dict[int, str]:
    """Checked files (`file_{id}`) with their licence (`license_{id}`)."""
    try:
        data: FormData = await request.form()
    except Exception as error:
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error
    choice: dict[int, str] = {}
    for key in data:
        number = key.removeprefix("file_")
        if key.startswith("file_") and number.isdigit() and len(number) < 10:
            licence = data.get(f"license_{number}")
            choice[int(number)] = licence if isinstance(licence, str) else ""
        if len(choice) > MAX_FILES:
            raise DomainError(_("Das Formular konnte nicht gelesen werden."))
    return choice


FileChoice = Annotated[dict[int, str], Depends(_file_choice)]


@router.post("/vorhaben/{vorhaben_id:id}/publication/dateien")
def publication_files(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, choice: FileChoice
) -> Response:
    """Save which of the Vorhaben's own files the publication carries, and their licences."""
    request.state.nav = "vorhaben"
    try:
        files.choose(db, member, vorhaben_id, choice)
    except ValidationFailed as error:
        return _page(request, db, member, vorhaben_id, errors=error.errors, status_code=422)
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}/publication#dateien", status_code=303)
    flash(
        request,
        response,
        _("Die Dateien sind gewählt; öffentlich werden sie mit der nächsten Freigabe."),
    )
    return response
