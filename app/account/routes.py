"""My account: who I am, my sessions (and ending the others)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.account import devices, preferences
from app.audit import service as audit
from app.auth import sessions
from app.auth.deps import Member
from app.auth.models import AuthSession
from app.core.errors import NotFound
from app.dates import feeds as calendar_feeds
from app.i18n import gettext as _
from app.membership import changes
from app.municipalities.models import Municipality
from app.vorhaben import repository
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(prefix="/konto", include_in_schema=False)


def _current_session_id(request: Request) -> int | None:
    current: AuthSession | None = getattr(request.state, "auth_session", None)
    return current.id if current is not None else None


@router.get("")
def account_page(request: Request, account: Member, db: DbSession) -> Response:
    """The account overview with the list of active sessions."""
    active = sessions.list_for(db, request.app.state.settings, account.id)
    return render(
        request,
        "account/account.html",
        {
            "page_title": _("Mein Konto"),
            "account": account,
            "municipality": db.get(Municipality, account.municipality_id)
            if account.municipality_id
            else None,
            "sessions": active,
            "devices": {row.id: devices.describe(row.user_agent) for row in active},
            "current_session_id": _current_session_id(request),
            "fields": repository.fields_of_action(db),
            "interests": preferences.interests_of(db, account.id),
            "notification_settings": preferences.settings_of(db, account.id),
            "pending_change": changes.open_change(db, account.id),
            "calendar_feed": calendar_feeds.exists(db, account.id),
        },
    )


@router.post("/sitzungen/{session_id:id}/beenden")
def end_session(request: Request, session_id: int, account: Member, db: DbSession) -> Response:
    """End one of my other sessions (another browser or device)."""
    mine = {row.id for row in sessions.list_for(db, request.app.state.settings, account.id)}
    if session_id not in mine or session_id == _current_session_id(request):
        raise NotFound(_("Diese Sitzung gibt es nicht (mehr)."))
    sessions.end(db, session_id)
    audit.record(
        db,
        "session_ended",
        actor_id=account.id,
        subject_id=account.id,
        object_type="session",
        object_id=session_id,
    )
    response = RedirectResponse("/konto", status_code=303)
    flash(request, response, _("Die Sitzung wurde beendet."))
    return response


@router.post("/sitzungen/andere-beenden")
def end_other_sessions(request: Request, account: Member, db: DbSession) -> Response:
    """End all my sessions except this one."""
    ended = sessions.end_all(db, account.id, except_id=_current_session_id(request))
    audit.record(
        db, "session_ended", actor_id=account.id, subject_id=account.id, ended=ended, scope="others"
    )
    response = RedirectResponse("/konto", status_code=303)
    flash(request, response, _("Alle anderen Sitzungen wurden beendet."))
    return response


@router.post("/einstellungen")
def save_preferences(
    request: Request,
    account: Member,
    db: DbSession,
    mail_mode: Annotated[str, Form(max_length=20)] = "immediate",
    interests: Annotated[list[str] | None, Form()] = None,
    municipality_signals: Annotated[str, Form(max_length=5)] = "",
    municipality_comments: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Mail preference (immediately, daily digest, none), what to hear of on the own
    municipality's Vorhaben, and fields of interest."""
    # Unticked boxes send nothing: the form always carries all of them.
    preferences.save(
        db,
        account,
        mail_mode,
        interests or [],
        municipality_signals=municipality_signals == "1",
        municipality_comments=municipality_comments == "1",
    )
    response = RedirectResponse("/konto#einstellungen", status_code=303)
    flash(request, response, _("Einstellungen gespeichert."))
    return response
