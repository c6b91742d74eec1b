"""The moderators' side of people changing jobs and of local contact persons: the queue of
requested changes and its decisions, a member's municipality changed directly, naming and
revoking contact persons, the contacts' decisions, and reopening a decided application."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Moderator
from app.core.errors import ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import accounts, changes, contacts
from app.membership.decision_routes import decide_then_return
from app.membership.models import CHANGE_STATE_LABELS
from app.membership.moderation_routes import application_page, member_page
from app.municipalities.picker import picker_context, runs_search
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/moderation", include_in_schema=False)

CHANGE_DECISION_LABELS = {"approve": N_("Annehmen"), "decline": N_("Ablehnen")}


def _nav(request: Request) -> None:
    request.state.nav = "moderation"


# -- requested changes -----------------------------------------------------------------------


@router.get("/wechsel")
def change_queue(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    state: Annotated[str, Query(max_length=20)] = "open",
) -> Response:
    """Requested changes of municipality or position, open ones first."""
    _nav(request)
    return render(
        request,
        "moderation/changes.html",
        {
            "page_title": _("Wechsel von Kommune oder Funktion"),
            "changes": changes.queue(db, state),
            "state": state,
            "state_options": [
                *[(key.value, _(label)) for key, label in CHANGE_STATE_LABELS.items()],
                ("all", _("Alle")),
            ],
        },
    )


def _change_page(
    request: Request,
    db: DbSession,
    change_id: int,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    change = changes.get_change(db, change_id)
    return render(
        request,
        "moderation/change.html",
        {
            "page_title": _("Wechsel von %(name)s", name=change.account.display_name),
            "change": change,
            "reason": reason,
            "errors": errors or {},
            "labels": {"decision": _("Entscheidung"), "reason": _("Begründung")},
        },
        status_code=status_code,
    )


@router.get("/wechsel/{change_id:id}")
def change_detail(
    request: Request, change_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """One requested change: before, after, the member's reason, the decision form."""
    _nav(request)
    return _change_page(request, db, change_id)


@router.post("/wechsel/{change_id:id}")
def change_decide(
    request: Request,
    change_id: int,
    moderator: Moderator,
    db: DbSession,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve or decline the change (a reason is needed to decline)."""
    _nav(request)
    return decide_then_return(
        request,
        decide=lambda: changes.decide(
            db, request.app.state.settings, moderator, change_id, decision, reason
        ),
        form_again=lambda errors: _change_page(
            request, db, change_id, reason=reason, errors=errors, status_code=422
        ),
        queue="/moderation/wechsel",
        decision=decision,
        labels=CHANGE_DECISION_LABELS,
    )


# -- a member's municipality, changed directly -------------------------------------------------


def _municipality_page(
    request: Request,
    db: DbSession,
    account_id: int,
    *,
    municipality_ags: str = "",
    position: str = "",
    reason: str = "",
    q: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    searched: bool = False,
) -> Response:
    member = accounts.get(db, account_id)
    return render(
        request,
        "moderation/member_municipality.html",
        {
            "page_title": _("Kommune von %(name)s ändern", name=member.display_name),
            "member": member,
            "position": position,
            "reason": reason,
            "errors": errors or {},
            "labels": {
                "municipality_ags": _("Neue Kommune"),
                "position": _("Neue Funktion"),
                "reason": _("Begründung"),
            },
            "picker_url": "/moderation/domains/municipalities",
            "picker_legend": _("Neue Kommune"),
            **picker_context(db, q, municipality_ags),
            "searched": searched,
        },
        status_code=status_code,
    )


@router.get("/members/{account_id:id}/kommune")
def member_municipality(
    request: Request,
    account_id: int,
    moderator: Moderator,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    municipality_ags: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    """The form to move a member to another municipality."""
    _nav(request)
    return _municipality_page(request, db, account_id, q=q, municipality_ags=municipality_ags)


@router.post("/members/{account_id:id}/kommune")
def member_municipality_change(
    request: Request,
    account_id: int,
    moderator: Moderator,
    db: DbSession,
    municipality_ags: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """Change the member's municipality (and position) with a reason, or run the search."""
    _nav(request)
    if runs_search(action, q, municipality_ags):
        return _municipality_page(
            request,
            db,
            account_id,
            municipality_ags=municipality_ags[:12],
            position=position,
            reason=reason,
            q=q[:200],
            searched=True,
        )
    try:
        member = changes.change_directly(
            db,
            request.app.state.settings,
            moderator,
            account_id,
            municipality_ags,
            position,
            reason,
        )
    except ValidationFailed as error:
        return _municipality_page(
            request,
            db,
            account_id,
            municipality_ags=municipality_ags,
            position=position,
            reason=reason,
            q=q,
            errors=error.errors,
            status_code=422,
        )
    response = RedirectResponse(f"/moderation/members/{account_id}", status_code=303)
    flash(request, response, _("Die Kommune von %(name)s ist geändert.", name=member.display_name))
    return response


# -- contact persons ---------------------------------------------------------------------------


@router.post("/members/{account_id:id}/ansprechperson")
def member_contact(
    request: Request,
    account_id: int,
    moderator: Moderator,
    db: DbSession,
    action: Annotated[str, Form()] = "",
    contact_reason: Annotated[str, Form()] = "",
) -> Response:
    """Name the member the contact person of their municipality, or revoke it."""
    _nav(request)
    settings = request.app.state.settings
    try:
        if action == "name":
            member = contacts.name(db, settings, moderator, account_id, contact_reason)
            message = _("%(name)s ist Ansprechperson der Kommune.", name=member.display_name)
        elif action == "revoke":
            member = contacts.revoke(db, settings, moderator, account_id, contact_reason)
            message = _("%(name)s ist nicht mehr Ansprechperson.", name=member.display_name)
        else:
            raise ValidationFailed({"contact_reason": _("Bitte wählen Sie eine Aktion.")})
    except ValidationFailed as error:
        errors = {"contact_reason": " ".join(error.errors.values())}
        return member_page(
            request,
            db,
            account_id,
            errors=errors,
            contact_reason=contact_reason,
            status_code=422,
        )
    response = RedirectResponse(f"/moderation/members/{account_id}", status_code=303)
    flash(request, response, message)
    return response


@router.get("/ansprechpersonen")
def contact_overview(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """The named contact persons and the decisions they made (to check and reverse)."""
    _nav(request)
    return render(
        request,
        "moderation/contacts.html",
        {
            "page_title": _("Ansprechpersonen der Kommunen"),
            "contacts": contacts.all_contacts(db),
            "decisions": contacts.contact_decisions(db),
        },
    )


@router.post("/applications/{application_id:id}/reopen")
def application_reopen(
    request: Request,
    application_id: int,
    moderator: Moderator,
    db: DbSession,
    reopen_reason: Annotated[str, Form()] = "",
) -> Response:
    """Reverse a decision: the application is open again, the person an applicant."""
    _nav(request)
    try:
        application = contacts.reopen(
            db, request.app.state.settings, moderator, application_id, reopen_reason
        )
    except ValidationFailed as error:
        return application_page(
            request,
            db,
            application_id,
            reopen_reason=reopen_reason,
            errors={"reopen_reason": " ".join(error.errors.values())},
            status_code=422,
        )
    response = RedirectResponse(f"/moderation/applications/{application.id}", status_code=303)
    flash(request, response, _("Der Antrag ist wieder offen."))
    return response
