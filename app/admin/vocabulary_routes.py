"""Admin pages for the vocabularies partners rely on: English labels and mappings of the
fields of action (OZG Themenfelder, publiccode.yml categories) and of the stages
(developmentStatus, phase). The identifiers themselves never change here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.auth.deps import Admin
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.export import code_lists, vocabularies
from app.i18n import gettext as _
from app.vorhaben.models import STAGE_LABELS, Stage
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

# Served under the admin router (prefix /admin).
router = routing.router(include_in_schema=False)


async def _posted(request: Request) -> FormData:
    try:
        return await request.form()
    except Exception as error:
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error


def _text(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _many(data: FormData, name: str) -> list[str]:
    return [value for value in data.getlist(name) if isinstance(value, str)]


def _options() -> dict[str, Any]:
    return {
        "ozg_options": [(code.id, code.de) for code in code_lists.OZG_THEMENFELDER],
        "category_options": [(code, code) for code in code_lists.PUBLICCODE_CATEGORIES],
        "status_options": [
            (code.id, f"{code.id} – {code.de}") for code in code_lists.DEVELOPMENT_STATUSES
        ],
        "phase_options": [(code.id, code.de) for code in code_lists.PHASES],
        "ozg_names": {code.id: code.de for code in code_lists.OZG_THEMENFELDER},
        "phase_names": {code.id: code.de for code in code_lists.PHASES},
    }


def _overview(
    request: Request,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    wanted: dict[str, tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    stages = vocabularies.stage_terms(db)
    chosen = wanted or {term.id: (term.development_status, term.phase or "") for term in stages}
    return render(
        request,
        "admin/vocabularies.html",
        {
            "page_title": _("Vokabulare für Partner"),
            "fields": vocabularies.field_terms(db),
            "stages": [
                {
                    "id": term.id,
                    "label": _(STAGE_LABELS[Stage(term.id)]),
                    "status": chosen[term.id][0],
                    "phase": chosen[term.id][1],
                }
                for term in stages
            ],
            "errors": errors or {},
            "labels": {
                **{f"status_{stage.value}": _(STAGE_LABELS[stage]) for stage in Stage},
                **{f"phase_{stage.value}": _(STAGE_LABELS[stage]) for stage in Stage},
            },
            **_options(),
        },
        status_code=status_code,
    )


@router.get("/vokabulare")
def overview(request: Request, admin: Admin, db: DbSession) -> Response:
    """The fields of action and stages with their identifiers and mappings."""
    return _overview(request, db)


async def _stage_form(request: Request) -> dict[str, tuple[str, str]]:
    data = await _posted(request)
    return {
        stage.value: (_text(data, f"status_{stage.value}"), _text(data, f"phase_{stage.value}"))
        for stage in Stage
    }


async def _field_form(request: Request) -> tuple[str, list[str], list[str]]:
    data = await _posted(request)
    return (
        _text(data, "label_en"),
        _many(data, "ozg_themenfelder"),
        _many(data, "publiccode_categories"),
    )


@router.post("/vokabulare/phasen")
def stages_save(
    request: Request,
    admin: Admin,
    db: DbSession,
    wanted: Annotated[dict[str, tuple[str, str]], Depends(_stage_form)],
) -> Response:
    """developmentStatus and phase of every stage."""
    try:
        vocabularies.set_stage_mappings(db, admin, wanted)
    except ValidationFailed as error:
        return _overview(request, db, errors=error.errors, wanted=wanted, status_code=422)
    response = RedirectResponse("/admin/vokabulare", status_code=303)
    flash(request, response, _("Die Zuordnung der Phasen ist gespeichert."))
    return response


def _field_page(
    request: Request,
    db: DbSession,
    field_id: int,
    *,
    typed: tuple[str, list[str], list[str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "admin"
    found = [term for term in vocabularies.field_terms(db) if term.id == field_id]
    if not found:
        raise NotFound(_("Dieses Handlungsfeld gibt es nicht."))
    term = found[0]
    label_en, ozg, categories = typed or (
        term.label_en,
        list(term.ozg_themenfelder),
        list(term.publiccode_categories),
    )
    return render(
        request,
        "admin/vocabulary_field.html",
        {
            "page_title": _("Zuordnung: %(label)s", label=term.label),
            "term": term,
            "label_en": label_en,
            "ozg": ozg,
            "categories": categories,
            "errors": errors or {},
            "labels": {
                "label_en": _("Englische Bezeichnung"),
                "ozg_themenfelder": _("OZG-Themenfelder"),
                "publiccode_categories": _("publiccode.yml-Kategorien"),
            },
            **_options(),
        },
        status_code=status_code,
    )


@router.get("/vokabulare/handlungsfelder/{field_id:id}")
def field_form(request: Request, field_id: int, admin: Admin, db: DbSession) -> Response:
    """The English label and mappings of one field of action."""
    return _field_page(request, db, field_id)


@router.post("/vokabulare/handlungsfelder/{field_id:id}")
def field_save(
    request: Request,
    field_id: int,
    admin: Admin,
    db: DbSession,
    typed: Annotated[tuple[str, list[str], list[str]], Depends(_field_form)],
) -> Response:
    """Save the English label and mappings (audited); a refused form keeps the choice."""
    label_en, ozg, categories = typed
    try:
        entry = vocabularies.set_field_mapping(
            db,
            admin,
            field_id,
            label_en=label_en,
            ozg_themenfelder=ozg,
            publiccode_categories=categories,
        )
    except ValidationFailed as error:
        return _field_page(request, db, field_id, typed=typed, errors=error.errors, status_code=422)
    response = RedirectResponse("/admin/vokabulare", status_code=303)
    flash(request, response, _("Die Zuordnung von „%(label)s“ ist gespeichert.", label=entry.label))
    return response
