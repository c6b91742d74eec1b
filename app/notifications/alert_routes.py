"""The alerts page (what a member follows, with removal) and the "Folgen" forms of the
list filters and municipality pages. State changes are POSTs behind CSRF; without
JavaScript they redirect back, with htmx the form is swapped for what it did."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.i18n import gettext as _
from app.notifications import alerts
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.safe_redirect import local_path
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)

PAGE = "/benachrichtigungen/themen"

Kind = Annotated[str, Form(max_length=20)]
Key = Annotated[str, Form(max_length=200)]
Next = Annotated[str, Form(max_length=2000)]


@router.get(PAGE)
def alert_list(request: Request, member: Member, db: DbSession) -> Response:
    """What the member follows, each with a removal button, and forms to follow more."""
    request.state.nav = "notifications"
    return render(
        request,
        "notifications/alerts.html",
        {
            "page_title": _("Themen, denen Sie folgen"),
            "alerts": alerts.alerts_of(db, member),
            "kind_labels": alerts.KIND_LABELS,
            "field_choices": alerts.field_choices(db),
        },
    )


@router.post(PAGE)
def follow(
    request: Request, member: Member, db: DbSession, kind: Kind, key: Key, next: Next = ""
) -> Response:
    """Follow a field, tag, municipality, Land, Kreis or circle (again: nothing changes)."""
    alert = alerts.follow(db, member, alerts.parse_kind(kind), key)
    label = alerts.label_of(db, member, alert.kind, alert.key)
    if is_htmx(request):
        return render(
            request,
            "notifications/_followed.html",
            {"kind": alert.kind.value, "key": alert.key, "label": label, "next": next},
        )
    response = RedirectResponse(local_path(next, PAGE), status_code=303)
    flash(request, response, _("Sie folgen jetzt: %(label)s.", label=label))
    return response


@router.post(PAGE + "/entfernen")
def unfollow(
    request: Request, member: Member, db: DbSession, kind: Kind, key: Key, next: Next = ""
) -> Response:
    """Stop following it."""
    parsed = alerts.parse_kind(kind)
    label = alerts.label_of(db, member, parsed, key)
    alerts.unfollow(db, member, parsed, key)
    if is_htmx(request):
        return render(
            request,
            "notifications/_unfollowed.html",
            {"kind": parsed.value, "key": key, "label": label, "next": next},
        )
    response = RedirectResponse(local_path(next, PAGE), status_code=303)
    flash(request, response, _("Sie folgen nicht mehr: %(label)s.", label=label))
    return response
