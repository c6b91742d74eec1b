"""Vorhaben pages: the list, the form (new and edit), the detail page, versions, deletion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.auth.deps import Member
from app.comments import service as comments
from app.core.errors import Conflict, ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.membership.models import Account
from app.municipalities.models import Level, Municipality
from app.municipalities.picker import picker_context
from app.search.similar import similar as similar_vorhaben
from app.vorhaben import cooperation, diff, forms, listing, service, spdx
from app.vorhaben.models import (
    AI_LABELS,
    SIGNAL_LABELS,
    STAGE_LABELS,
    STAGE_TRANSITIONS,
    VISIBILITY_LABELS,
    Stage,
    Vorhaben,
)
from app.vorhaben.routes_form import SubmittedVorhaben, read_form
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _nav(request: Request) -> None:
    request.state.nav = "vorhaben"


def filter_context(db: DbSession, filters: listing.VorhabenFilter) -> dict[str, Any]:
    """Options of the list filters (shared with search)."""
    laender = db.execute(
        select(Municipality.id, Municipality.name)
        .where(Municipality.level == Level.LAND)
        .order_by(Municipality.ags)
    )
    kreise: list[tuple[int, str]] = []
    if (land_id := parse_id(filters.land)) is not None:
        kreise = [
            (row.id, row.name)
            for row in db.execute(
                select(Municipality.id, Municipality.name)
                .where(
                    Municipality.level == Level.KREIS,
                    Municipality.land_id == land_id,
                    Municipality.active.is_(True),
                )
                .order_by(Municipality.name)
            )
        ]
    return {
        "filters": filters,
        "stage_options": [(stage.value, _(label)) for stage, label in STAGE_LABELS.items()],
        "field_options": [(entry.slug, _(entry.label)) for entry in listing.fields_of_action(db)],
        "land_options": [(str(row.id), row.name) for row in laender],
        "kreis_options": [(str(key), name) for key, name in kreise],
        "ai_options": [(key.value, _(label)) for key, label in AI_LABELS.items()],
    }


def filter_params(
    stage: Annotated[str, Query(max_length=20)] = "",
    field: Annotated[str, Query(max_length=60)] = "",
    land: Annotated[str, Query(max_length=12)] = "",
    kreis: Annotated[str, Query(max_length=12)] = "",
    municipality: Annotated[str, Query(max_length=12)] = "",
    partners: Annotated[str, Query(max_length=1)] = "",
    ai: Annotated[str, Query(max_length=20)] = "",
    open_source: Annotated[str, Query(max_length=1)] = "",
) -> listing.VorhabenFilter:
    """The list filters from the query string (shared with search)."""
    return listing.VorhabenFilter(
        stage, field, land, kreis, municipality, partners, ai, open_source
    )


Filters = Annotated[listing.VorhabenFilter, Depends(filter_params)]


@router.get("/vorhaben")
def vorhaben_list(
    request: Request,
    member: Member,
    db: DbSession,
    filters: Filters,
    sort: Annotated[str, Query(max_length=10)] = "activity",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """All visible Vorhaben with filters and sorting; htmx refreshes just the results."""
    _nav(request)
    sort = sort if sort in listing.SORTS else "activity"
    page = listing.list_vorhaben(db, member, filters, sort=sort, after=after)
    context = {
        "page_title": _("Vorhaben"),
        "page": page,
        "sort": sort,
        **filter_context(db, filters),
    }
    template = (
        "vorhaben/_results.html"
        if request.headers.get("HX-Target") == "results"
        else "vorhaben/list.html"
    )
    return render(request, template, context)


def _form_context(
    db: DbSession,
    member: Account,
    form: forms.VorhabenForm,
    *,
    vorhaben: Vorhaben | None = None,
    partner_q: str = "",
) -> dict[str, Any]:
    owner_id = vorhaben.municipality_id if vorhaben else member.municipality_id
    stages: list[Stage] = list(Stage)
    if vorhaben is not None:
        stages = [
            vorhaben.stage,
            *sorted(STAGE_TRANSITIONS[vorhaben.stage], key=lambda stage: list(Stage).index(stage)),
        ]
    partners = picker_context(db, partner_q, "")
    chosen = [
        entry
        for ags in form.partner_municipalities
        if (entry := _municipality(db, ags)) is not None
    ]
    return {
        "form": form,
        "vorhaben": vorhaben,
        "labels": {key: _(value) for key, value in forms.LABELS.items()},
        "stage_options": [(stage.value, _(stage.label)) for stage in stages],
        "field_options": [
            (str(entry.id), _(entry.label)) for entry in listing.fields_of_action(db)
        ],
        "visibility_options": [(key.value, _(label)) for key, label in VISIBILITY_LABELS.items()],
        "ai_options": [(key.value, _(label)) for key, label in AI_LABELS.items()],
        "license_options": [(key, f"{_(label)} ({key})") for key, label in spdx.LICENSES],
        "contact_options": [
            (str(account.id), f"{account.display_name} – {account.position or ''}")
            for account in service.members_of(db, owner_id)
        ]
        if owner_id
        else [],
        "partner_q": partner_q,
        "partner_results": [
            entry
            for entry in partners["results"]  # type: ignore[attr-defined]
            if entry.ags not in form.partner_municipalities
        ],
        "partner_chosen": chosen,
        "similar": similar_vorhaben(
            db,
            member,
            f"{form.title} {form.summary}",
            tags=forms.split_tags(form.tags),
            exclude_id=vorhaben.id if vorhaben else None,
        ),
    }


def _municipality(db: DbSession, ags: str) -> Municipality | None:
    from app.municipalities import service as municipalities

    return municipalities.get_by_ags(db, ags)


def _form_page(
    request: Request,
    db: DbSession,
    member: Account,
    form: forms.VorhabenForm,
    *,
    vorhaben: Vorhaben | None = None,
    errors: dict[str, str] | None = None,
    partner_q: str = "",
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    _nav(request)
    title = _("Vorhaben bearbeiten") if vorhaben else _("Neues Vorhaben")
    return render(
        request,
        "vorhaben/form.html",
        {
            "page_title": title,
            "errors": errors or {},
            "notice": notice,
            **_form_context(db, member, form, vorhaben=vorhaben, partner_q=partner_q),
        },
        status_code=status_code,
    )


@router.get("/vorhaben/new")
def new_form(request: Request, member: Member, db: DbSession) -> Response:
    """An empty form for a new idea or project."""
    return _form_page(request, db, member, forms.VorhabenForm())


Submitted = Annotated[SubmittedVorhaben, Depends(read_form)]


@router.post("/vorhaben/new")
def create(request: Request, member: Member, db: DbSession, submitted: Submitted) -> Response:
    """Create a Vorhaben (303 to its page); a failed form keeps everything typed."""
    if submitted.action == "partner_search":
        return _form_page(request, db, member, submitted.form, partner_q=submitted.partner_q)
    try:
        vorhaben = service.create(db, request.app.state.settings, member, submitted.form)
    except ValidationFailed as error:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            errors=error.errors,
            partner_q=submitted.partner_q,
            status_code=422,
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben.id}", status_code=303)
    flash(request, response, _("Ihr Vorhaben ist angelegt."))
    return response


@router.get("/vorhaben/aehnlich")
def similar_fragment(
    request: Request,
    member: Member,
    db: DbSession,
    title: Annotated[str, Query(max_length=400)] = "",
    summary: Annotated[str, Query(max_length=1000)] = "",
    exclude: Annotated[int | None, Query()] = None,
) -> Response:
    """Similar existing Vorhaben while the title and summary are typed (htmx)."""
    found = similar_vorhaben(db, member, f"{title} {summary}", exclude_id=exclude)
    return render(request, "vorhaben/_similar.html", {"similar": found})


def detail_context(db: DbSession, member: Account, vorhaben_id: int) -> dict[str, Any]:
    """Everything the detail page shows (also used to re-render it with a comment error)."""
    vorhaben = service.get(db, member, vorhaben_id)
    signals = cooperation.signals_of(db, vorhaben.id)
    own_signals = {
        signal.kind.value for signal in signals if signal.municipality_id == member.municipality_id
    }
    return {
        "page_title": vorhaben.title,
        "vorhaben": vorhaben,
        "timeline": service.timeline(db, vorhaben.id),
        "signals": signals,
        "signal_kinds": list(SIGNAL_LABELS.items()),
        "own_signals": own_signals,
        "can_signal": member.municipality_id not in (None, vorhaben.municipality_id),
        "following": cooperation.is_following(db, member.id, vorhaben.id),
        "threads": comments.thread(db, vorhaben.id),
        "similar": similar_vorhaben(
            db,
            member,
            f"{vorhaben.title} {vorhaben.summary}",
            tags=vorhaben.tag_names,
            exclude_id=vorhaben.id,
        ),
        "can_edit": service.can_edit(member, vorhaben),
        "can_delete": service.can_delete(member, vorhaben),
        "comment_body": "",
        "comment_errors": {},
        "focus_comment": None,
    }


@router.get("/vorhaben/{vorhaben_id:id}")
def detail(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """A Vorhaben with its timeline, signals, comments and similar Vorhaben."""
    _nav(request)
    return render(request, "vorhaben/detail.html", detail_context(db, member, vorhaben_id))


@router.get("/vorhaben/{vorhaben_id:id}/bearbeiten")
def edit_form(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The edit form, filled from the current version."""
    vorhaben = service.get(db, member, vorhaben_id)
    if not service.can_edit(member, vorhaben):
        from app.core.errors import Forbidden

        raise Forbidden(_("Bearbeiten können Mitglieder der Kommune, der das Vorhaben gehört."))
    return _form_page(request, db, member, service.form_from(vorhaben), vorhaben=vorhaben)


@router.post("/vorhaben/{vorhaben_id:id}/bearbeiten")
def update(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, submitted: Submitted
) -> Response:
    """Save an edit (a new version); a conflict or error keeps the typed form."""
    vorhaben = service.get(db, member, vorhaben_id)
    if submitted.action == "partner_search":
        return _form_page(
            request, db, member, submitted.form, vorhaben=vorhaben, partner_q=submitted.partner_q
        )
    try:
        service.update(
            db,
            request.app.state.settings,
            member,
            vorhaben_id,
            submitted.form,
            expected_version=submitted.version,
        )
    except ValidationFailed as error:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            vorhaben=vorhaben,
            errors=error.errors,
            partner_q=submitted.partner_q,
            status_code=422,
        )
    except Conflict as error:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            vorhaben=vorhaben,
            notice=error.message,
            status_code=409,
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}", status_code=303)
    flash(request, response, _("Änderungen gespeichert."))
    return response


@router.get("/vorhaben/{vorhaben_id:id}/loeschen")
def delete_confirm(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """Ask before deleting."""
    _nav(request)
    vorhaben = service.get(db, member, vorhaben_id)
    if not service.can_delete(member, vorhaben):
        from app.core.errors import Forbidden

        raise Forbidden(_("Löschen können die Autorin oder der Autor und die Moderation."))
    return render(
        request, "vorhaben/delete.html", {"page_title": _("Vorhaben löschen"), "vorhaben": vorhaben}
    )


@router.post("/vorhaben/{vorhaben_id:id}/loeschen")
def delete(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """Delete the Vorhaben with its comments and signals."""
    service.delete_vorhaben(db, request.app.state.settings, member, vorhaben_id)
    response = RedirectResponse("/vorhaben", status_code=303)
    flash(request, response, _("Das Vorhaben wurde gelöscht."))
    return response


@router.get("/vorhaben/{vorhaben_id:id}/versionen")
def version_list(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """Every saved version with its editor."""
    _nav(request)
    vorhaben = service.get(db, member, vorhaben_id)
    rows = service.versions(db, vorhaben.id)
    from app.membership import accounts

    names = accounts.names(db, {row.editor_id for row in rows if row.editor_id})
    return render(
        request,
        "vorhaben/versions.html",
        {
            "page_title": _("Versionen: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            "versions": rows,
            "names": names,
        },
    )


@router.get("/vorhaben/{vorhaben_id:id}/versionen/{number:id}")
def version_diff(
    request: Request, vorhaben_id: int, number: int, member: Member, db: DbSession
) -> Response:
    """What changed in one version compared with the one before."""
    _nav(request)
    vorhaben = service.get(db, member, vorhaben_id)
    current, previous = service.version(db, vorhaben.id, number)
    return render(
        request,
        "vorhaben/version.html",
        {
            "page_title": _("Version %(number)s", number=number),
            "vorhaben": vorhaben,
            "current": current,
            "previous": previous,
            "changes": diff.changes(previous.snapshot if previous else {}, current.snapshot),
            "labels": {
                key: _(value) for key, value in {**forms.LABELS, **diff.FIELD_LABELS}.items()
            },
        },
    )
