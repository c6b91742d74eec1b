"""Following a Vorhaben and giving cooperation signals (plain POST or htmx)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.i18n import gettext as _
from app.vorhaben import cooperation, service
from app.vorhaben.models import SIGNAL_LABELS
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


def _cooperation_fragment(
    request: Request, db: DbSession, member: Member, vorhaben_id: int
) -> Response:
    vorhaben = service.get(db, member, vorhaben_id)
    signals = cooperation.signals_of(db, vorhaben.id)
    return render(
        request,
        "vorhaben/_cooperation.html",
        {
            "vorhaben": vorhaben,
            "signals": signals,
            "signal_kinds": list(SIGNAL_LABELS.items()),
            "own_signals": {
                signal.kind.value
                for signal in signals
                if signal.municipality_id == member.municipality_id
            },
            "can_signal": member.municipality_id not in (None, vorhaben.municipality_id),
            "can_acknowledge": service.can_edit(member, vorhaben),
            "following": cooperation.is_following(db, member.id, vorhaben.id),
        },
    )


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


@router.post("/vorhaben/{vorhaben_id:id}/signale")
def signal(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    kind: Annotated[str, Form(max_length=20)] = "",
    action: Annotated[str, Form(max_length=10)] = "add",
) -> Response:
    """Give or take back a cooperation signal in the name of the member's municipality."""
    cooperation.set_signal(
        db, request.app.state.settings, member, vorhaben_id, kind, on=action != "remove"
    )
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
