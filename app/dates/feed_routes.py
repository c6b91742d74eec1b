"""The personal calendar feed: made, renewed and revoked on the account page; read by
calendar apps at a secret address that needs no session (its auth type is the token,
app.dates.feeds.feed_owner). The address is shown once, right after it is made."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.dates import feeds, ical, views
from app.i18n import gettext as _
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)

FEED_PATH = "/kalender/{token}.ics"


def feed_url(base_url: str, token: str) -> str:
    """The absolute address of a calendar feed."""
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


@router.post("/konto/kalender")
def renew(request: Request, member: Member, db: DbSession) -> Response:
    """Make a new feed address (the old one stops working) and show it once."""
    token = feeds.renew(db, member)
    request.state.nav = "konto"
    return render(
        request,
        "dates/feed_created.html",
        {
            "page_title": _("Ihr Kalender-Abonnement"),
            "feed_url": feed_url(request.app.state.settings.base_url, token),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/konto/kalender/widerrufen")
def revoke(request: Request, member: Member, db: DbSession) -> Response:
    """Revoke the feed address: calendar apps get nothing from it any more."""
    feeds.revoke(db, member.id)
    response = RedirectResponse("/konto#kalender", status_code=303)
    flash(request, response, _("Die Kalender-Adresse wurde widerrufen."))
    return response


@router.get(FEED_PATH)
def feed(request: Request, owner: feeds.FeedOwner, db: DbSession) -> Response:
    """The dates of the Vorhaben the token's owner follows or wrote and may see now."""
    body = ical.calendar(
        views.for_feed(db, owner),
        request.app.state.settings.base_url,
        name=_("Allmende: meine Termine"),
    )
    return ical.response(body, "allmende.ics")
