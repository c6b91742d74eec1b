"""The Vorhaben form: new and edit, the similar-Vorhaben panel, and reading the posted form
(repeatable fields, checkboxes, the button pressed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from app.accounts.models import Account
from app.auth.deps import Member
from app.circles import repository as circle_repository
from app.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.municipalities.models import Municipality
from app.municipalities.picker import picker_context
from app.vorhaben import ai_record, forms, provided, repository, service, spdx, stages
from app.vorhaben.models import (
    AI_LABELS,
    ORGANISATION_VISIBILITY_LABELS,
    VISIBILITY_LABELS,
    Stage,
    Visibility,
    Vorhaben,
)
from app.vorhaben.validation import LessonsWanted
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)

# The second submit button shown with the lessons-learned question: save as it is.
SAVE_WITHOUT_LESSONS = "save_without_lessons"


@dataclass(frozen=True)
class SubmittedVorhaben:
    form: forms.VorhabenForm
    action: str  # "save", SAVE_WITHOUT_LESSONS or "partner_search" (the partner picker)
    partner_q: str
    partner_q_shown: str  # the search whose results the form showed
    version: int | None  # the version the form was loaded from (optimistic concurrency)

    @property
    def ask_for_lessons(self) -> bool:
        return self.action != SAVE_WITHOUT_LESSONS

    @property
    def searches_partners(self) -> bool:
        """The partner search button, or a search text typed but never run: Enter in the
        search field presses the form's default button (save), and a browser without
        JavaScript cannot tell the two apart, so a search not yet run is run, not saved."""
        if self.action == "partner_search":
            return True
        typed = self.partner_q.strip()
        return bool(typed) and typed != self.partner_q_shown.strip()


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
    form = forms.VorhabenForm(
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
        ai=ai_record.read_form(lambda name: _text(data, name)),
    )
    return SubmittedVorhaben(
        form=form,
        action=_text(data, "action") or "save",
        partner_q=_text(data, "partner_q")[:200],
        partner_q_shown=_text(data, "partner_q_shown")[:200],
        version=parse_id(version),
    )


Submitted = Annotated[SubmittedVorhaben, Depends(read_form)]


def _form_context(
    db: DbSession,
    member: Account,
    form: forms.VorhabenForm,
    *,
    vorhaben: Vorhaben | None = None,
    partner_q: str = "",
) -> dict[str, Any]:
    owner_id = vorhaben.municipality_id if vorhaben else member.municipality_id
    stage_choices: list[Stage] = list(Stage)
    if vorhaben is not None:
        stage_choices = [vorhaben.stage, *stages.next_stages(vorhaben.stage)]
    partners = picker_context(db, partner_q, "")
    wanted = [ags.strip() for ags in dict.fromkeys(form.partner_municipalities) if ags.strip()]
    wanted = wanted[: forms.PARTNERS_MAX]
    by_ags = {
        entry.ags: entry
        for entry in db.scalars(select(Municipality).where(Municipality.ags.in_(wanted)))
    }
    chosen = [by_ags[ags] for ags in wanted if ags in by_ags]
    return {
        "form": form,
        "vorhaben": vorhaben,
        # A co-editor (app.vorhaben.co_editors) sees who reads it, but does not change it.
        "owner": vorhaben is None or service.can_edit(member, vorhaben),
        "labels": {key: _(value) for key, value in forms.LABELS.items()},
        "stage_options": [(stage.value, _(stage.label)) for stage in stage_choices],
        "field_options": [
            (str(entry.id), _(entry.label)) for entry in repository.fields_of_action(db)
        ],
        "visibility_options": _visibility_options(db, member, owner_id),
        "ai_options": [(key.value, _(label)) for key, label in AI_LABELS.items()],
        "ai_risk_options": ai_record.risk_options(),
        "ai_hints": {key: _(value) for key, value in ai_record.HINTS.items()},
        "ai_fields": list(ai_record.LABELS),
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
            # Partners are registry municipalities: the feed names them by AGS.
            if entry.ags not in form.partner_municipalities and not entry.is_organisation
        ],
        "partner_chosen": chosen,
        "similar": provided.similar(
            db,
            member,
            f"{form.title} {form.summary}",
            tags=forms.split_tags(form.tags),
            field_ids=_ids(form.fields_of_action),
            stage=form.stage or None,
            exclude_id=vorhaben.id if vorhaben else None,
        ),
    }


def _visibility_options(
    db: DbSession, member: Account, owner_id: int | None
) -> list[tuple[str, str]]:
    """All members, the municipality, its partners, and each circle the member is in (an
    organisation's members read "Organisation" where the others read "Kommune")."""
    owner = db.get(Municipality, owner_id) if owner_id is not None else None
    labels = ORGANISATION_VISIBILITY_LABELS if owner and owner.is_organisation else {}
    plain = [
        (key.value, _(labels.get(key, label)))
        for key, label in VISIBILITY_LABELS.items()
        if key in forms.PLAIN_VISIBILITY
    ]
    return plain + [
        (
            forms.visibility_value(Visibility.CIRCLE, circle.id),
            _("Nur der Kreis „%(name)s“", name=circle.name),
        )
        for circle in circle_repository.active_circles(db, member.id)
    ]


def _form_page(
    request: Request,
    db: DbSession,
    member: Account,
    form: forms.VorhabenForm,
    *,
    vorhaben: Vorhaben | None = None,
    errors: dict[str, str] | None = None,
    lessons_prompt: str | None = None,
    partner_q: str = "",
    partner_searched: bool = False,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    request.state.nav = "vorhaben"
    title = _("Vorhaben bearbeiten") if vorhaben else _("Neues Vorhaben")
    return render(
        request,
        "vorhaben/form.html",
        {
            "page_title": title,
            "errors": errors or {},
            "lessons_prompt": lessons_prompt,
            "notice": notice,
            "partner_searched": partner_searched,
            **_form_context(db, member, form, vorhaben=vorhaben, partner_q=partner_q),
        },
        status_code=status_code,
    )


def _refused(
    request: Request,
    db: DbSession,
    member: Account,
    submitted: SubmittedVorhaben,
    error: ValidationFailed,
    vorhaben: Vorhaben | None = None,
) -> Response:
    """The form again, as typed: with the errors, or with the lessons-learned question."""
    asks_lessons = isinstance(error, LessonsWanted)
    return _form_page(
        request,
        db,
        member,
        submitted.form,
        vorhaben=vorhaben,
        errors=None if asks_lessons else error.errors,
        lessons_prompt=error.errors["lessons_learned"] if asks_lessons else None,
        partner_q=submitted.partner_q,
        status_code=422,
    )


@router.get("/vorhaben/new")
def new_form(
    request: Request,
    member: Member,
    db: DbSession,
    visibility: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    """An empty form for a new idea or project (a circle's page preselects the circle)."""
    form = forms.VorhabenForm()
    if forms.parse_visibility(visibility) is not None:
        form.visibility = visibility
    return _form_page(request, db, member, form)


@router.post("/vorhaben/new")
def create(request: Request, member: Member, db: DbSession, submitted: Submitted) -> Response:
    """Create a Vorhaben (303 to its page); a failed form keeps everything typed."""
    if submitted.searches_partners:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            partner_q=submitted.partner_q,
            partner_searched=True,
        )
    try:
        # The service checks everything before writing; the savepoint is the safety net,
        # since the request still commits after a 422 answer.
        with db.begin_nested():
            vorhaben = service.create(
                db,
                request.app.state.settings,
                member,
                submitted.form,
                ask_for_lessons=submitted.ask_for_lessons,
            )
    except ValidationFailed as error:
        return _refused(request, db, member, submitted, error)
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
    tags: Annotated[str, Query(max_length=1000)] = "",
    fields_of_action: Annotated[list[str] | None, Query()] = None,
    stage: Annotated[str, Query(max_length=40)] = "",
    exclude: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Similar existing Vorhaben while the title and summary are typed (htmx), with the
    tags, fields of action and stage chosen so far."""
    found = provided.similar(
        db,
        member,
        f"{title} {summary}",
        tags=forms.split_tags(tags),
        field_ids=_ids(fields_of_action or []),
        stage=stage or None,
        exclude_id=parse_id(exclude),  # the edit form's own Vorhaben; other text is no id
    )
    return render(request, "vorhaben/_similar.html", {"similar": found})


def _ids(raw: list[str]) -> list[int]:
    """The ids among client text (anything else is left out)."""
    return [found for value in raw[:50] if (found := parse_id(value)) is not None]


@router.get("/vorhaben/{vorhaben_id:id}/bearbeiten")
def edit_form(request: Request, vorhaben_id: int, member: Member, db: DbSession) -> Response:
    """The edit form, filled from the current version."""
    vorhaben = service.get(db, member, vorhaben_id)
    if not service.may_edit(db, member, vorhaben):
        raise Forbidden(_("Bearbeiten können Mitglieder der Kommune, der das Vorhaben gehört."))
    return _form_page(request, db, member, service.form_from(vorhaben), vorhaben=vorhaben)


@router.post("/vorhaben/{vorhaben_id:id}/bearbeiten")
def update(
    request: Request, vorhaben_id: int, member: Member, db: DbSession, submitted: Submitted
) -> Response:
    """Save an edit (a new version); a conflict or error keeps the typed form."""
    vorhaben = service.get(db, member, vorhaben_id)
    if submitted.searches_partners:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            vorhaben=vorhaben,
            partner_q=submitted.partner_q,
            partner_searched=True,
        )
    try:
        # As on create: checked before writing, and a savepoint in case anything slips by.
        with db.begin_nested():
            service.update(
                db,
                request.app.state.settings,
                member,
                vorhaben_id,
                submitted.form,
                expected_version=submitted.version,
                ask_for_lessons=submitted.ask_for_lessons,
            )
    except ValidationFailed as error:
        return _refused(request, db, member, submitted, error, service.get(db, member, vorhaben_id))
    except Conflict as error:
        return _form_page(
            request,
            db,
            member,
            submitted.form,
            vorhaben=vorhaben,
            partner_q=submitted.partner_q,
            notice=error.message,
            status_code=409,
        )
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}", status_code=303)
    flash(request, response, _("Änderungen gespeichert."))
    return response
