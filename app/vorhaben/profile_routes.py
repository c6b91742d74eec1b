"""Member profiles: who works where on what (visible to members only).

A Vorhaben listing beside the person, so it lives here: membership imports no Vorhaben."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.accounts.models import AccountState
from app.auth.deps import Member
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.membership import accounts
from app.vorhaben import repository
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(include_in_schema=False)


@router.get("/mitglieder/{account_id:id}")
def profile(request: Request, account_id: int, member: Member, db: DbSession) -> Response:
    """A member's profile with the Vorhaben they started (those the reader may see)."""
    person = accounts.get(db, account_id)
    if person.state is not AccountState.APPROVED:
        raise NotFound(_("Dieses Mitglied gibt es nicht (mehr)."))
    started = repository.started_by(db, member, person.id)
    return render(
        request,
        "membership/profile.html",
        {"page_title": person.display_name, "person": person, "started": started},
    )
