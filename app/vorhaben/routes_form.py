"""Reading the Vorhaben form from a request (repeatable fields, checkboxes, the button)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData

from app.core.errors import DomainError
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.vorhaben.forms import VorhabenForm


@dataclass(frozen=True)
class SubmittedVorhaben:
    form: VorhabenForm
    action: str  # "save" or "partner_search" (the search button of the partner picker)
    partner_q: str
    version: int | None  # the version the form was loaded from (optimistic concurrency)


def _text(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _many(data: FormData, name: str) -> list[str]:
    return [value for value in data.getlist(name) if isinstance(value, str)]


async def read_form(request: Request) -> SubmittedVorhaben:
    """Parse the posted form into a VorhabenForm (unknown fields are ignored)."""
    try:
        data = await request.form()
    except Exception as error:  # a malformed multipart body
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error
    version = _text(data, "version")
    form = VorhabenForm(
        title=_text(data, "title"),
        summary=_text(data, "summary"),
        description=_text(data, "description"),
        stage=_text(data, "stage"),
        fields_of_action=_many(data, "fields_of_action"),
        visibility=_text(data, "visibility") or "members",
        tags=_text(data, "tags"),
        looking_for_partners=_text(data, "looking_for_partners") in {"1", "on", "true"},
        uses_ai=_text(data, "uses_ai") or "none",
        open_source=_text(data, "open_source") in {"1", "on", "true"},
        license=_text(data, "license"),
        repository_url=_text(data, "repository_url"),
        website_url=_text(data, "website_url"),
        funding_programme=_text(data, "funding_programme"),
        start_date=_text(data, "start_date"),
        end_date=_text(data, "end_date"),
        lessons_learned=_text(data, "lessons_learned"),
        partner_municipalities=_many(data, "partner_municipalities"),
        contacts=_many(data, "contacts"),
    )
    return SubmittedVorhaben(
        form=form,
        action=_text(data, "action") or "save",
        partner_q=_text(data, "partner_q")[:200],
        version=parse_id(version),
    )
