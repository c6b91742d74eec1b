"""Membership decisions by the moderators: the application queue and decisions, members
(suspend, reinstate, role), verified mail domains. The content moderation and the audit log
are in app/moderation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import ACCOUNT_STATE_LABELS, ROLE_LABELS, Account
from app.auth.deps import Admin, Moderator
from app.core.errors import ValidationFailed
from app.core.ids import parse_id
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import accounts, claims, domains, service
from app.membership import queue as applications
from app.membership.decision_routes import decide_then_return
from app.membership.models import APPLICATION_STATE_LABELS
from app.municipalities import service as municipalities
from app.municipalities.picker import picker_context, runs_search
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/moderation", include_in_schema=False)

DECISION_LABELS = {
    "approve": N_("Freischalten"),
    "request_info": N_("Rückfrage stellen"),
    "decline": N_("Ablehnen"),
}


def _nav(request: Request) -> None:
    request.state.nav = "moderation"


# -- applications ----------------------------------------------------------------------------


@router.get("/applications")
def application_queue(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    state: str = "open",
    land: Annotated[str, Query(max_length=12)] = "",
    older_than: Annotated[str, Query(max_length=4)] = "",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The queue of applications with filters by state, Land and age."""
    _nav(request)
    filters = applications.QueueFilter(
        state=state,
        land_id=parse_id(land),
        older_than_days=parse_id(older_than),
    )
    page = applications.queue(db, filters, after=after)
    facts = {application.id: service.review_facts(db, application) for application in page.items}
    return render(
        request,
        "moderation/applications.html",
        {
            "page_title": _("Mitgliedsanträge"),
            "page": page,
            "filters": filters,
            "laender": municipalities.laender(db),
            "state_options": [
                ("open", _("Offen")),
                *[(key.value, _(label)) for key, label in APPLICATION_STATE_LABELS.items()],
                ("all", _("Alle")),
            ],
            "facts": facts,
            "now": dt.datetime.now(dt.UTC),
        },
    )


def application_page(
    request: Request,
    db: DbSession,
    application_id: int,
    *,
    decision: str = "",
    reason: str = "",
    reopen_reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    application = service.get_application(db, application_id)
    return render(
        request,
        "moderation/application.html",
        {
            "page_title": _("Antrag von %(name)s", name=application.account.display_name),
            "application": application,
            "claims": claims.describe(application.claims or {}),
            "domain_owner": domains.owner_of(db, application.email_domain),
            "same_domain": domains.members_with_domain(
                db, application.municipality_id, application.email_domain
            ),
            "earlier": applications.earlier_applications(db, application),
            "facts": service.review_facts(db, application),
            "decision_options": [(key, _(label)) for key, label in DECISION_LABELS.items()],
            "decision": decision,
            "reason": reason,
            "reopen_reason": reopen_reason,
            "errors": errors or {},
            "labels": {
                "decision": _("Entscheidung"),
                "reason": _("Begründung"),
                "reopen_reason": _("Begründung"),
            },
        },
        status_code=status_code,
    )


@router.get("/applications/{application_id:id}")
def application_detail(
    request: Request, application_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """One application: claims, mail domain, earlier applications, history, decision."""
    _nav(request)
    return application_page(request, db, application_id)


@router.post("/applications/{application_id:id}")
def application_decide(
    request: Request,
    application_id: int,
    moderator: Moderator,
    db: DbSession,
    decision: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve, decline or request more information (each with a reason)."""
    _nav(request)
    return decide_then_return(
        request,
        decide=lambda: service.decide(
            db, request.app.state.settings, moderator, application_id, decision, reason
        ),
        form_again=lambda errors: application_page(
            request,
            db,
            application_id,
            decision=decision,
            reason=reason,
            errors=errors,
            status_code=422,
        ),
        queue="/moderation/applications",
        decision=decision,
        labels=DECISION_LABELS,
    )


@router.post("/applications/{application_id:id}/domain")
def application_confirm_domain(
    request: Request, application_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """Confirm the application's mail domain for its municipality in one click."""
    entry = domains.confirm_for_application(db, moderator, application_id)
    response = RedirectResponse(f"/moderation/applications/{application_id}", status_code=303)
    flash(request, response, _("Domain %(domain)s bestätigt.", domain=entry.domain))
    return response


# -- members -----------------------------------------------------------------------------------


@router.get("/members")
def member_list(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    state: str = "",
) -> Response:
    """All accounts, searchable by name and mail."""
    _nav(request)
    return render(
        request,
        "moderation/members.html",
        {
            "page_title": _("Mitglieder"),
            "members": accounts.directory(db, query=q, state=state),
            "q": q,
            "state": state,
            "state_options": [
                (key.value, _(label))
                for key, label in ACCOUNT_STATE_LABELS.items()
                if key.value != "erased"
            ],
        },
    )


def member_page(
    request: Request,
    db: DbSession,
    account_id: int,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    contact_reason: str = "",
    status_code: int = 200,
) -> Response:
    account = accounts.get(db, account_id)
    return render(
        request,
        "moderation/member.html",
        {
            "page_title": account.display_name,
            "member": account,
            "application": service.latest_application(db, account.id),
            "role_options": [(key.value, _(label)) for key, label in ROLE_LABELS.items()],
            "errors": errors or {},
            "reason": reason,
            "contact_reason": contact_reason,
            "labels": {
                "reason": _("Begründung"),
                "contact_reason": _("Anlass"),
                "role": _("Rolle"),
                "erase_reason": _("Anfrage und Begründung"),
            },
        },
        status_code=status_code,
    )


@router.get("/members/{account_id:id}")
def member_detail(
    request: Request, account_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """One account: state, application, actions."""
    _nav(request)
    return member_page(request, db, account_id)


@router.post("/members/{account_id:id}/suspend")
def member_suspend(
    request: Request,
    account_id: int,
    moderator: Moderator,
    db: DbSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Suspend a member (ends all their sessions at once)."""
    return _state_change(request, db, moderator, account_id, reason, suspend=True)


@router.post("/members/{account_id:id}/reinstate")
def member_reinstate(
    request: Request,
    account_id: int,
    moderator: Moderator,
    db: DbSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Lift a suspension."""
    return _state_change(request, db, moderator, account_id, reason, suspend=False)


def _state_change(
    request: Request,
    db: DbSession,
    moderator: Account,
    account_id: int,
    reason: str,
    *,
    suspend: bool,
) -> Response:
    _nav(request)
    change = accounts.suspend if suspend else accounts.reinstate
    try:
        account = change(db, request.app.state.settings, moderator, account_id, reason)
    except ValidationFailed as error:
        return member_page(
            request, db, account_id, errors=error.errors, reason=reason, status_code=422
        )
    response = RedirectResponse(f"/moderation/members/{account_id}", status_code=303)
    name = account.display_name
    if suspend:
        flash(request, response, _("%(name)s ist gesperrt.", name=name))
    else:
        flash(request, response, _("%(name)s ist wieder freigeschaltet.", name=name))
    return response


@router.post("/members/{account_id:id}/role")
def member_role(
    request: Request,
    account_id: int,
    admin: Admin,
    db: DbSession,
    role: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Grant or revoke moderator or admin rights (admins only)."""
    _nav(request)
    try:
        account = accounts.set_role(db, request.app.state.settings, admin, account_id, role, reason)
    except ValidationFailed as error:
        return member_page(request, db, account_id, errors=error.errors, status_code=422)
    response = RedirectResponse(f"/moderation/members/{account_id}", status_code=303)
    flash(
        request,
        response,
        _("Rolle von %(name)s: %(role)s", name=account.display_name, role=_(account.role_label)),
    )
    return response


# -- verified mail domains ---------------------------------------------------------------------


def _domains_page(
    request: Request,
    db: DbSession,
    *,
    errors: dict[str, str] | None = None,
    domain: str = "",
    municipality_ags: str = "",
    q: str = "",
    status_code: int = 200,
    searched: bool = False,
) -> Response:
    return render(
        request,
        "moderation/domains.html",
        {
            "page_title": _("Bestätigte E-Mail-Domains"),
            "domains": domains.listing(db),
            "errors": errors or {},
            "domain": domain,
            "labels": {"domain": _("Domain"), "municipality_ags": _("Kommune")},
            "picker_url": "/moderation/domains/municipalities",
            **picker_context(db, q, municipality_ags),
            "searched": searched,
        },
        status_code=status_code,
    )


@router.get("/domains")
def domain_list(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    municipality_ags: Annotated[str, Query(max_length=12)] = "",
    domain: Annotated[str, Query(max_length=253)] = "",
) -> Response:
    """Verified domains, and the form to add one."""
    _nav(request)
    return _domains_page(request, db, q=q, municipality_ags=municipality_ags, domain=domain)


@router.get("/domains/municipalities")
def domain_municipality_results(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
    municipality_ags: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    """Municipality search results for the domain form (htmx fragment)."""
    return render(
        request, "membership/_municipality_results.html", picker_context(db, q, municipality_ags)
    )


@router.post("/domains")
def domain_add(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    municipality_ags: Annotated[str, Form()] = "",
    domain: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """Verify a mail domain for a municipality, or run the municipality search (no JS)."""
    _nav(request)
    if runs_search(action, q, municipality_ags):
        return _domains_page(
            request,
            db,
            domain=domain[:253],
            municipality_ags=municipality_ags[:12],
            q=q[:200],
            searched=True,
        )
    try:
        entry = domains.add(db, moderator, municipality_ags, domain)
    except ValidationFailed as error:
        return _domains_page(
            request,
            db,
            errors=error.errors,
            domain=domain,
            municipality_ags=municipality_ags,
            q=q,
            status_code=422,
        )
    response = RedirectResponse("/moderation/domains", status_code=303)
    flash(request, response, _("Domain %(domain)s bestätigt.", domain=entry.domain))
    return response


@router.post("/domains/{domain_id:id}/delete")
def domain_remove(
    request: Request, domain_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """Withdraw a domain verification."""
    domains.remove(db, moderator, domain_id)
    response = RedirectResponse("/moderation/domains", status_code=303)
    flash(request, response, _("Die Domain ist nicht mehr bestätigt."))
    return response
