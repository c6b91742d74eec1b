"""The circles (/kreise): the list, one circle's space, creating one (site moderators) and
every change of membership as a plain form POST with a redirect.

A circle's content (its Vorhaben, its members) is shown only to its active members; an
unlisted circle answers 404 to everyone else, a listed one shows them its name, its
description and a join request (CONTRACT)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import Account
from app.auth.deps import Member, Moderator
from app.circles import mails as circle_mails
from app.circles import repository as circle_repository
from app.circles import service as circles
from app.circles.models import CIRCLE_KIND_LABELS, CircleRole, MembershipState
from app.core.errors import Conflict, DomainError, ValidationFailed
from app.core.ids import parse_id
from app.dates import views as date_views
from app.i18n import gettext as _
from app.notifications import alerts
from app.notifications.models import AlertKind
from app.topics import service as topics
from app.vorhaben import circle_cards
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import Kind, flash
from app.web.templating import render

router = routing.router(include_in_schema=False)


def _back(
    request: Request, circle_id: int | None, message: str, kind: Kind = "success"
) -> Response:
    response = RedirectResponse(
        f"/kreise/{circle_id}" if circle_id is not None else "/kreise", status_code=303
    )
    flash(request, response, message, kind)
    return response


@router.get("/kreise")
def circle_list(request: Request, member: Member, db: DbSession) -> Response:
    """Listed circles and the member's own (unlisted ones only to those in them)."""
    request.state.nav = "kreise"
    entries = circle_repository.listing(db, member)
    states = {entry.circle.id: entry.mine.state if entry.mine else None for entry in entries}
    return render(
        request,
        "circles/list.html",
        {
            "page_title": _("Kreise"),
            "mine": [e for e in entries if states[e.circle.id] is MembershipState.ACTIVE],
            "invited": [e for e in entries if states[e.circle.id] is MembershipState.INVITED],
            "others": [
                e for e in entries if states[e.circle.id] in (None, MembershipState.REQUESTED)
            ],
            "can_create": member.is_moderator,
        },
    )


# -- creating (site moderators) --------------------------------------------------------------


def _form_page(
    request: Request,
    db: DbSession,
    form: circles.CircleForm,
    *,
    moderator_q: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "kreise"
    found = circle_repository.find_members(db, moderator_q) if moderator_q.strip() else []
    chosen_ids = [i for value in form.moderators if (i := parse_id(value)) is not None]
    chosen = circle_repository.accounts_by_id(db, chosen_ids)
    return render(
        request,
        "circles/form.html",
        {
            "page_title": _("Neuer Kreis"),
            "form": form,
            "errors": errors or {},
            "labels": {
                "name": _("Name"),
                "description": _("Beschreibung"),
                "kind": _("Art"),
                "moderators": _("Erste Kreismoderation"),
            },
            "kind_options": [(key.value, _(label)) for key, label in CIRCLE_KIND_LABELS.items()],
            "moderator_q": moderator_q,
            "searched": bool(moderator_q.strip()),
            "candidates": [
                (str(account.id), _person(account))
                for account in [*chosen, *(a for a in found if a.id not in chosen_ids)]
            ],
        },
        status_code=status_code,
    )


def _person(account: Account) -> str:
    place = account.municipality.display_name if account.municipality else ""
    return " – ".join(
        part for part in (account.display_name, account.position or "", place) if part
    )


@dataclass(frozen=True)
class SubmittedCircle:
    form: circles.CircleForm
    action: str  # "create" or "search" (the member search)
    query: str
    query_shown: str  # the search whose results the form showed


async def read_circle_form(request: Request) -> SubmittedCircle:
    """Parse the posted creation form (a coroutine: the route itself stays in a thread)."""
    try:
        data = await request.form()
    except Exception as error:  # a malformed multipart body
        raise DomainError(_("Das Formular konnte nicht gelesen werden.")) from error

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    form = circles.CircleForm(
        name=text("name"),
        description=text("description"),
        kind=text("kind"),
        listed=text("listed") in {"1", "on", "true"},
        moderators=[v for v in data.getlist("moderators") if isinstance(v, str)][:100],
    )
    return SubmittedCircle(
        form, text("action"), text("moderator_q")[:200], text("moderator_q_shown")[:200]
    )


@router.get("/kreise/neu")
def new_circle(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """The form for a new circle (site moderators)."""
    return _form_page(request, db, circles.CircleForm())


@router.post("/kreise/neu")
def create_circle(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    submitted: Annotated[SubmittedCircle, Depends(read_circle_form)],
) -> Response:
    """Create a circle with its first circle moderators (303 to it, or to its settings when
    the site moderator cannot see it); the member search re-renders the form with
    everything typed."""
    form, action, query, shown = (
        submitted.form,
        submitted.action,
        submitted.query,
        submitted.query_shown,
    )
    # Enter in the search field presses the default button (create): a search typed but not
    # yet run is run, as the Vorhaben form's partner search does.
    if action == "search" or (query.strip() and query.strip() != shown.strip()):
        return _form_page(request, db, form, moderator_q=query)
    try:
        with db.begin_nested():
            circle = circles.create(db, moderator, form)
    except ValidationFailed as error:
        return _form_page(
            request, db, form, moderator_q=query, errors=error.errors, status_code=422
        )
    if circle.listed or circle_repository.membership(db, circle.id, moderator.id):
        return _back(request, circle.id, _("Der Kreis ist angelegt."))
    # An unlisted circle the site moderator is not in answers them 404: its settings instead.
    response = RedirectResponse(f"/kreise/{circle.id}/verwalten", status_code=303)
    flash(request, response, _("Der Kreis ist angelegt."))
    return response


# -- one circle ------------------------------------------------------------------------------


@router.get("/kreise/{circle_id:id}")
def circle_page(
    request: Request,
    circle_id: int,
    member: Member,
    db: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """A circle's own space for its members; its name, description and a join request
    for others (404 for an unlisted one)."""
    request.state.nav = "kreise"
    seen = circle_repository.view(db, member, circle_id)
    context: dict[str, object] = {"page_title": seen.circle.name, "seen": seen, "q": q}
    if seen.member:
        context |= {
            "vorhaben": circle_cards.vorhaben_of(db, member, circle_id),
            "members": circle_repository.members(db, circle_id, MembershipState.ACTIVE),
            "topics": topics.of_circle(db, member, circle_id),
            "following_circle": alerts.is_following(db, member, AlertKind.CIRCLE, str(circle_id)),
        } | date_views.circle_context(db, member, circle_id)
    if seen.moderates:
        found = circle_repository.find_members(db, q) if q.strip() else []
        context |= {
            "requests": circle_repository.members(db, circle_id, MembershipState.REQUESTED),
            "invitations": circle_repository.members(db, circle_id, MembershipState.INVITED),
            "candidates": circle_repository.without_members(db, circle_id, found),
            "searched": bool(q.strip()),
        }
    return render(request, "circles/detail.html", context)


def _attempt(
    request: Request,
    circle_id: int,
    done: str,
    action: Callable[[], object],
    *,
    then: int | None = -1,
) -> Response:
    """Run a membership change and go back to the circle (`then`: another circle page, or
    None for the list); a conflict (already decided, the last circle moderator) comes back
    as a message on the circle page."""
    try:
        action()
    except Conflict as error:
        return _back(request, circle_id, error.message, "error")
    return _back(request, circle_id if then == -1 else then, done)


Decision = Annotated[str, Form(max_length=20)]
AccountId = Annotated[str, Form(max_length=20)]


@router.post("/kreise/{circle_id:id}/anfrage")
def request_to_join(request: Request, circle_id: int, member: Member, db: DbSession) -> Response:
    """Ask to join a listed circle."""
    seen = circle_repository.view(db, member, circle_id)
    circle, invited = seen.circle, seen.invited
    settings = request.app.state.settings

    def ask() -> None:
        circles.request_to_join(db, member, circle)
        if not invited:  # (an invitation there is accepted instead: nothing to decide)
            circle_mails.requested(db, settings, circle, member)

    return _attempt(
        request,
        circle_id,
        _("Willkommen im Kreis.")
        if invited
        else _("Ihre Anfrage ist gestellt. Die Moderation des Kreises entscheidet."),
        ask,
    )


@router.post("/kreise/{circle_id:id}/einladung")
def answer_invitation(
    request: Request, circle_id: int, member: Member, db: DbSession, decision: Decision = ""
) -> Response:
    """Accept (`decision` = accept) or decline an invitation."""
    circle = circle_repository.view(db, member, circle_id).circle
    if decision == "accept":
        return _attempt(
            request,
            circle_id,
            _("Willkommen im Kreis."),
            lambda: circles.accept_invitation(db, member, circle),
        )
    return _attempt(
        request,
        circle_id,
        _("Sie haben die Einladung abgelehnt."),
        lambda: circles.decline_invitation(db, member, circle),
        then=circle_id if circle.listed else None,
    )


@router.post("/kreise/{circle_id:id}/verlassen")
def leave(request: Request, circle_id: int, member: Member, db: DbSession) -> Response:
    """Leave the circle (or withdraw one's request)."""
    circle = circle_repository.view(db, member, circle_id).circle
    return _attempt(
        request,
        circle_id,
        _("Sie gehören dem Kreis nicht mehr an."),
        lambda: circles.leave(db, member, circle),
        then=circle_id if circle.listed else None,
    )


@router.post("/kreise/{circle_id:id}/einladen")
def invite(
    request: Request, circle_id: int, member: Member, db: DbSession, account_id: AccountId = ""
) -> Response:
    """A circle moderator invites a member."""
    circle = circle_repository.view(db, member, circle_id).circle
    invitee = parse_id(account_id)
    if invitee is None:
        return _back(request, circle_id, _("Bitte wählen Sie eine Person aus der Suche."), "error")
    settings = request.app.state.settings

    def invite_and_tell() -> None:
        row = circles.invite(db, member, circle, invitee)
        if row.state is MembershipState.INVITED:  # (else a request of theirs was approved)
            circle_mails.invited(db, settings, circle, member, invitee)

    return _attempt(request, circle_id, _("Die Einladung ist verschickt."), invite_and_tell)


@router.post("/kreise/{circle_id:id}/anfragen/{account_id:id}")
def decide_request(
    request: Request,
    circle_id: int,
    account_id: int,
    member: Member,
    db: DbSession,
    decision: Decision = "",
) -> Response:
    """A circle moderator approves (`decision` = approve) or declines a request."""
    circle = circle_repository.view(db, member, circle_id).circle
    approve = decision == "approve"
    return _attempt(
        request,
        circle_id,
        _("Aufgenommen.") if approve else _("Anfrage abgelehnt."),
        lambda: circles.decide_request(db, member, circle, account_id, approve=approve),
    )


@router.post("/kreise/{circle_id:id}/mitglieder/{account_id:id}")
def change_member(
    request: Request,
    circle_id: int,
    account_id: int,
    member: Member,
    db: DbSession,
    action: Decision = "",
) -> Response:
    """A circle moderator removes a member (`action` = remove) or sets their role
    (`moderator`, `member`)."""
    circle = circle_repository.view(db, member, circle_id).circle
    if action in {role.value for role in CircleRole}:
        return _attempt(
            request,
            circle_id,
            _("Die Rolle ist geändert."),
            lambda: circles.set_role(db, member, circle, account_id, CircleRole(action)),
        )
    return _attempt(
        request,
        circle_id,
        _("Die Person gehört dem Kreis nicht mehr an."),
        lambda: circles.remove(db, member, circle, account_id),
        then=circle_id if circle.listed or account_id != member.id else None,
    )
