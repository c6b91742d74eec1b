"""My account: asking to change municipality and/or position (people change jobs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.core.errors import InvalidTransition, ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.membership import changes
from app.municipalities.models import Municipality
from app.municipalities.picker import picker_context, runs_search
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/konto", include_in_schema=False)

LABELS = {
    "municipality_ags": N_("Neue Kommune"),
    "position": N_("Neue Funktion"),
    "reason": N_("Anlass"),
}


def _page(
    request: Request,
    db: DbSession,
    account: Member,
    form: changes.ChangeForm,
    q: str = "",
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    searched: bool = False,
) -> Response:
    return render(
        request,
        "account/change.html",
        {
            "page_title": _("Kommune oder Funktion ändern"),
            "account": account,
            "municipality": db.get(Municipality, account.municipality_id)
            if account.municipality_id
            else None,
            "pending": changes.open_change(db, account.id),
            "form": form,
            "errors": errors or {},
            "labels": {key: _(value) for key, value in LABELS.items()},
            "picker_legend": _("Neue Kommune (nur bei einem Wechsel)"),
            **picker_context(db, q, form.municipality_ags),
            "searched": searched,
        },
        status_code=status_code,
    )


@router.get("/wechsel")
def change_page(
    request: Request,
    account: Member,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The request form, or the open request with the button to withdraw it."""
    return _page(request, db, account, changes.ChangeForm(), q[:200])


@router.post("/wechsel")
def change_request(
    request: Request,
    account: Member,
    db: DbSession,
    municipality_ags: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """File the request, or run the municipality search without JavaScript; a failed form
    comes back with everything typed."""
    form = changes.ChangeForm(municipality_ags, position, reason)
    if runs_search(action, q, municipality_ags):
        return _page(request, db, account, form, q[:200], searched=True)
    try:
        changes.request_change(db, account, form)
    except ValidationFailed as error:
        return _page(request, db, account, form, q, errors=error.errors, status_code=422)
    except InvalidTransition:
        # A double submit: the first one filed it; the page shows it.
        return RedirectResponse("/konto/wechsel", status_code=303)
    response = RedirectResponse("/konto", status_code=303)
    flash(request, response, _("Ihre Änderung ist bei der Moderation. Sie erhalten eine E-Mail."))
    return response


@router.post("/wechsel/zurueckziehen")
def change_withdraw(request: Request, account: Member, db: DbSession) -> Response:
    """Withdraw the open request."""
    changes.withdraw(db, account)
    response = RedirectResponse("/konto", status_code=303)
    flash(request, response, _("Ihre beantragte Änderung ist zurückgezogen."))
    return response
