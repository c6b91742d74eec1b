"""The applicant's pages: apply (with municipality search), status, answering questions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import AccountState
from app.auth.deps import SignedIn
from app.core.errors import InvalidTransition, ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import service
from app.municipalities.picker import picker_context, runs_search
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/membership", include_in_schema=False)

LABELS = {
    "municipality_ags": N_("Kommune"),
    "position": N_("Funktion"),
    "reason": N_("Begründung"),
    "answer": N_("Antwort"),
}


def _apply_page(
    request: Request,
    db: DbSession,
    form: service.ApplicationForm,
    q: str,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    searched: bool = False,
) -> Response:
    return render(
        request,
        "membership/apply.html",
        {
            "page_title": _("Mitgliedschaft beantragen"),
            "form": form,
            "errors": errors or {},
            "labels": {key: _(value) for key, value in LABELS.items()},
            **picker_context(db, q, form.municipality_ags),
            "searched": searched,
        },
        status_code=status_code,
    )


@router.get("/apply")
def apply_page(
    request: Request,
    account: SignedIn,
    db: DbSession,
    q: str = "",
    municipality_ags: str = "",
    position: str = "",
    reason: str = "",
) -> Response:
    """The application form; a GET with `q` is the search without JavaScript."""
    if not service.can_apply(db, account):
        return RedirectResponse(service.landing_path(db, account), status_code=303)
    form = service.ApplicationForm(municipality_ags, position, reason)
    if not q and not municipality_ags and account.municipality_id is None:
        claimed = _claimed_municipality(db, account.id)
        if claimed:
            form.municipality_ags = claimed
    return _apply_page(request, db, form, q)


def _claimed_municipality(db: DbSession, account_id: int) -> str | None:
    claims, _verified, _domain = service.identity_claims(db, account_id)
    value = claims.get("municipality")
    return str(value) if isinstance(value, str | int) else None


@router.get("/municipalities")
def municipality_results(
    request: Request, account: SignedIn, db: DbSession, q: str = "", municipality_ags: str = ""
) -> Response:
    """The search results as a fragment (htmx, as you type)."""
    return render(
        request,
        "membership/_municipality_results.html",
        picker_context(db, q[:200], municipality_ags[:12]),
    )


@router.post("/apply")
def apply(
    request: Request,
    account: SignedIn,
    db: DbSession,
    municipality_ags: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """File the application, or run the municipality search without JavaScript; a failed
    form comes back with everything typed."""
    form = service.ApplicationForm(municipality_ags, position, reason)
    if not service.can_apply(db, account):
        return RedirectResponse(service.landing_path(db, account), status_code=303)
    if runs_search(action, q, municipality_ags):
        return _apply_page(request, db, form, q[:200], searched=True)
    try:
        service.submit_application(db, request.app.state.settings, account, form)
    except ValidationFailed as error:
        return _apply_page(request, db, form, q, error.errors, status_code=422)
    except InvalidTransition:
        # A double submit: the first one won the lock; show what it filed.
        return RedirectResponse(service.landing_path(db, account), status_code=303)
    response = RedirectResponse("/membership/status", status_code=303)
    message = (
        _("Willkommen! Ihre Mitgliedschaft ist freigeschaltet.")
        if account.state is AccountState.APPROVED
        else _("Ihr Antrag ist eingegangen. Die Moderation meldet sich per E-Mail.")
    )
    flash(request, response, message)
    return response


@router.get("/status")
def status_page(request: Request, account: SignedIn, db: DbSession) -> Response:
    """Where the application stands, its history, and the answer form for questions."""
    return _status(request, db, account)


def _status(
    request: Request,
    db: DbSession,
    account: SignedIn,
    answer: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    application = service.latest_application(db, account.id)
    return render(
        request,
        "membership/status.html",
        {
            "page_title": _("Mein Antrag"),
            "application": application,
            "account": account,
            "can_apply": service.can_apply(db, account),
            "answer": answer,
            "errors": errors or {},
            "labels": {key: _(value) for key, value in LABELS.items()},
        },
        status_code=status_code,
    )


@router.post("/status")
def answer(
    request: Request, account: SignedIn, db: DbSession, answer: Annotated[str, Form()] = ""
) -> Response:
    """Answer the moderators' question."""
    try:
        service.answer_info_request(db, request.app.state.settings, account, answer)
    except ValidationFailed as error:
        return _status(request, db, account, answer, error.errors, status_code=422)
    response = RedirectResponse("/membership/status", status_code=303)
    flash(request, response, _("Danke! Ihre Antwort ist bei der Moderation."))
    return response
