"""Vorhaben pages: the list, the form (new and edit), the detail page, versions, deletion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import Account
from app.auth.deps import Member
from app.core.errors import Forbidden
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.membership import accounts
from app.municipalities.picker import picker_context
from app.vorhaben import (
    ai_record,
    cooperation,
    diff,
    form_routes,
    forms,
    page,
    provided,
    repository,
    service,
)
from app.vorhaben.models import (
    AI_LABELS,
    STAGE_LABELS,
)
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


def _nav(request: Request) -> None:
    request.state.nav = "vorhaben"


def filter_context(
    db: DbSession, filters: repository.VorhabenFilter, kommune: str = ""
) -> dict[str, Any]:
    """Options of the list filters (shared with search); `kommune` searches municipalities
    for the municipality filter (the chosen one stays on top)."""
    options = repository.filter_options(db)
    kreise: tuple[tuple[int, str], ...] = ()
    if (land_id := parse_id(filters.land)) is not None:
        kreise = repository.kreise_of(db, land_id)
    picker = picker_context(db, kommune[:200], filters.municipality[:12])
    return {
        "filters": filters,
        "kommune": kommune,
        "stage_options": [(stage.value, _(label)) for stage, label in STAGE_LABELS.items()],
        "field_options": [(slug, _(label)) for slug, label in options.fields],
        "land_options": [(str(key), name) for key, name in options.laender],
        "kreis_options": [(str(key), name) for key, name in kreise],
        "municipality_options": picker["results"],
        "ai_options": [(key.value, _(label)) for key, label in AI_LABELS.items()],
        "ai_risk_options": [
            *ai_record.risk_options(),
            (repository.AI_UNASSESSED, _("KI ohne Einschätzung")),
        ],
    }


async def filter_params(  # a coroutine: no thread hand-over for parsing a query string
    stage: Annotated[str, Query(max_length=20)] = "",
    field: Annotated[str, Query(max_length=60)] = "",
    land: Annotated[str, Query(max_length=12)] = "",
    kreis: Annotated[str, Query(max_length=12)] = "",
    municipality: Annotated[str, Query(max_length=12)] = "",
    partners: Annotated[str, Query(max_length=1)] = "",
    ai: Annotated[str, Query(max_length=20)] = "",
    open_source: Annotated[str, Query(max_length=1)] = "",
    ai_risk: Annotated[str, Query(max_length=20)] = "",
) -> repository.VorhabenFilter:
    """The list filters from the query string (shared with search), without the spaces a
    pasted key brings along (the municipality picker strips them as well)."""
    values = (stage, field, land, kreis, municipality, partners, ai, open_source, ai_risk)
    return repository.VorhabenFilter(*(value.strip() for value in values))


Filters = Annotated[repository.VorhabenFilter, Depends(filter_params)]


@router.get("/vorhaben")
def vorhaben_list(
    request: Request,
    member: Member,
    db: DbSession,
    filters: Filters,
    sort: Annotated[str, Query(max_length=10)] = "activity",
    after: Annotated[str | None, Query(max_length=200)] = None,
    kommune: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """All visible Vorhaben with filters and sorting; htmx refreshes the results (with the
    Kreise of the chosen Land out of band), or the municipality candidates alone."""
    _nav(request)
    target = request.headers.get("HX-Target") if is_htmx(request) else None
    if target == "municipality-filter":  # the municipality search, as it is typed
        return render(
            request, "vorhaben/_municipality_choices.html", filter_context(db, filters, kommune)
        )
    sort = sort if sort in repository.SORTS else "activity"
    filters = repository.consistent(db, filters)

    def list_context() -> dict[str, Any]:
        return {
            "page": repository.list_vorhaben(db, member, filters, sort=sort, after=after),
            "sort": sort,
            **filter_context(db, filters, kommune),
        }

    if target == "results":
        return render(request, "vorhaben/_results.html", {**list_context(), "oob_filters": True})
    return render(request, "vorhaben/list.html", {"page_title": _("Vorhaben"), **list_context()})


def detail_context(db: DbSession, member: Account, vorhaben_id: int) -> dict[str, Any]:
    """Everything the detail page shows (also used to re-render it with a comment error):
    five statements with the session's, whatever the Vorhaben holds (test_statements)."""
    vorhaben = page.load(db, member, vorhaben_id)
    return {
        "page_title": vorhaben.title,
        "vorhaben": vorhaben,
        "timeline": vorhaben.timeline,
        **cooperation.panel(db, member, vorhaben),
        "following": vorhaben.following,
        **provided.discussion(db, vorhaben.id),
        **vorhaben.parts,  # its attachments and dates
        "can_edit": service.can_edit(member, vorhaben),
        "can_co_edit": service.can_edit(member, vorhaben) or vorhaben.co_editor,
        "can_delete": service.can_delete(member, vorhaben),
        "comment_body": "",
        "comment_errors": {},
        "focus_comment": None,
    }


@router.get("/vorhaben/{vorhaben_id:id}")
def detail(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """A Vorhaben with its timeline, signals and comments; the similar Vorhaben follow."""
    _nav(request)
    return render(request, "vorhaben/detail.html", detail_context(db, member, vorhaben_id))


@router.get("/vorhaben/{vorhaben_id:id}/aehnlich")
def similar(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The similar Vorhaben of a Vorhaben: the detail page loads them after itself (htmx);
    without JavaScript its link leads to them as a page of their own."""
    _nav(request)
    vorhaben = page.discussed(db, member, vorhaben_id)  # its id and title, if visible
    found = provided.similar_to(db, member, vorhaben.id)
    if is_htmx(request):
        return render(request, "vorhaben/_similar.html", {"similar": found})
    return render(
        request,
        "vorhaben/similar.html",
        {
            "page_title": _("Ähnliche Vorhaben: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            "similar": found,
        },
    )


@router.get("/vorhaben/{vorhaben_id:id}/loeschen")
def delete_confirm(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """Ask before deleting."""
    _nav(request)
    vorhaben = service.get(db, member, vorhaben_id)
    if not service.can_delete(member, vorhaben):
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


# The form routes live in form_routes; they are served under this router.
router.include_router(form_routes.router)
