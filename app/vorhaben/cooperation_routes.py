"""Following a Vorhaben and giving cooperation signals (plain POST or htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.core.errors import ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.vorhaben import cooperation, service
from app.vorhaben.routes import detail_context
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


def _cooperation_fragment(
    request: Request,
    db: DbSession,
    member: Member,
    vorhaben_id: int,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    vorhaben = service.get(db, member, vorhaben_id)
    # Shown again with what was typed: the form stays open, with its choices.
    context = cooperation.panel(db, member, vorhaben, choices=typed is not None)
    context.update(
        vorhaben=vorhaben,
        following=cooperation.is_following(db, member.id, vorhaben.id),
        signal_typed=typed or {},
        signal_errors=errors or {},
    )
    return render(request, "vorhaben/_cooperation.html", context, status_code=status_code)


def _failed(
    request: Request,
    db: DbSession,
    member: Member,
    vorhaben_id: int,
    typed: dict[str, str],
    error: ValidationFailed,
) -> Response:
    """A signal's note or an answer that did not fit: the panel again, with the errors and
    what was typed (in place with htmx, else the Vorhaben page)."""
    if is_htmx(request):
        return _cooperation_fragment(
            request, db, member, vorhaben_id, typed=typed, errors=error.errors, status_code=422
        )
    context = detail_context(db, member, vorhaben_id)
    context.update(signal_typed=typed, signal_errors=error.errors)
    if context["can_signal"]:  # the form stays open, with its choices
        context["own_vorhaben"] = cooperation.own_vorhaben(db, member)
    request.state.nav = "vorhaben"
    return render(request, "vorhaben/detail.html", context, status_code=422)


@router.post("/vorhaben/{vorhaben_id:id}/folgen")
def follow(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    action: Annotated[str, Form(max_length=10)] = "follow",
) -> Response:
    """Follow (or stop following) a Vorhaben."""
    cooperation.set_follow(db, member, vorhaben_id, on=action != "unfollow")
    if is_htmx(request):
        return _cooperation_fragment(request, db, member, vorhaben_id)
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}#zusammenarbeit", status_code=303)
    flash(
        request,
        response,
        _("Sie folgen diesem Vorhaben.")
        if action != "unfollow"
        else _("Sie folgen diesem Vorhaben nicht mehr."),
    )
    return response


@router.get("/vorhaben/{vorhaben_id:id}/signale")
def signal_form(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    art: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A signal's form with the member's own Vorhaben it can name: as the panel's form opens
    (htmx, the choices alone), or as a page of its own (without JavaScript)."""
    context = cooperation.signal_form(db, member, vorhaben_id, art)
    if is_htmx(request):
        return render(request, "vorhaben/_signal_linked.html", context)
    request.state.nav = "vorhaben"
    context["page_title"] = _("Signal geben")
    return render(request, "vorhaben/signal.html", context)


@router.post("/vorhaben/{vorhaben_id:id}/signale")
def signal(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    kind: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=10)] = "add",
    note: Annotated[str, Form(max_length=2000)] = "",
    linked: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Give or take back a cooperation signal in the name of the member's municipality,
    with a short note and one of its own Vorhaben if given."""
    try:
        cooperation.set_signal(
            db,
            request.app.state.settings,
            member,
            vorhaben_id,
            kind,
            on=action != "remove",
            note=note,
            linked_id=parse_id(linked),
        )
    except ValidationFailed as error:
        typed = {"kind": kind, "note": note, "linked": linked}
        return _failed(request, db, member, vorhaben_id, typed, error)
    if is_htmx(request):
        return _cooperation_fragment(request, db, member, vorhaben_id)
    response = RedirectResponse(f"/vorhaben/{vorhaben_id}#zusammenarbeit", status_code=303)
    flash(request, response, _("Signal gespeichert."))
    return response


@router.post("/signale/{signal_id:id}/gesehen")
def acknowledge(
    request: Request,
    signal_id: int,
    member: Member,
    db: DbSession,
    action: Annotated[str, Form(max_length=10)] = "seen",
    back: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The owners mark a signal as seen, so it leaves their open signals (or reopen it)."""
    signal = cooperation.acknowledge(db, member, signal_id, seen=action != "reopen")
    if is_htmx(request):
        return _cooperation_fragment(request, db, member, signal.vorhaben_id)
    target = (
        "/#signale" if back == "dashboard" else f"/vorhaben/{signal.vorhaben_id}#zusammenarbeit"
    )
    response = RedirectResponse(target, status_code=303)
    flash(
        request,
        response,
        _("Signal als gesehen markiert.") if action != "reopen" else _("Signal wieder offen."),
    )
    return response


@router.post("/signale/{signal_id:id}/antwort")
def answer(
    request: Request,
    signal_id: int,
    member: Member,
    db: DbSession,
    reply: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The owners answer a signal's note; the member who gave it hears of the answer."""
    try:
        signal = cooperation.answer(db, request.app.state.settings, member, signal_id, reply)
    except ValidationFailed as error:
        given = cooperation.signal_vorhaben(db, signal_id)
        typed = {"reply": reply, "signal": str(signal_id)}
        return _failed(request, db, member, given, typed, error)
    if is_htmx(request):
        return _cooperation_fragment(request, db, member, signal.vorhaben_id)
    response = RedirectResponse(f"/vorhaben/{signal.vorhaben_id}#zusammenarbeit", status_code=303)
    flash(request, response, _("Antwort gesendet."))
    return response
