"""The in-app notification list; marking as read is a POST (no state changes on GET)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member
from app.circles.models import Circle
from app.comments import links as comment_links
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.messages import inbox
from app.notifications import alert_routes, mention_page, mentions, service
from app.vorhaben import service as vorhaben_service
from app.vorhaben.visibility import can_see_circle_content
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)
router.include_router(alert_routes.router)  # the alerts page and the "Folgen" forms

PER_PAGE = 50


@router.get("/benachrichtigungen")
def notification_list(
    request: Request,
    member: Member,
    db: DbSession,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The notifications, newest first (unread ones marked), 50 a page."""
    request.state.nav = "notifications"
    page = service.page(db, member, after=after, limit=PER_PAGE)
    # Unread conversations on the first page; the session lookup already counted them (the
    # header's badge), so a member without unread messages costs no statement here.
    unread = getattr(request.state, "unread_messages", 0)
    new_messages = inbox.unread_conversations(db, member) if unread and after is None else []
    return render(
        request,
        "notifications/list.html",
        {
            "page_title": _("Benachrichtigungen"),
            "items": page.items,
            "new_messages": new_messages,
            # Each comment (a Vorhaben's or a topic's) on the page of its discussion that
            # holds it (one statement).
            "comment_urls": comment_links.urls(
                db,
                (
                    item.notification.comment_id
                    for item in page.items
                    if item.notification.comment_id is not None
                ),
            ),
            "next_cursor": page.next_cursor,
            "first_page": after is None,
        },
    )


@router.post("/benachrichtigungen/gelesen")
def mark_all_read(request: Request, member: Member, db: DbSession) -> Response:
    """Mark every notification as read."""
    service.mark_read(db, member)
    response = RedirectResponse("/benachrichtigungen", status_code=303)
    flash(request, response, _("Alle Benachrichtigungen sind als gelesen markiert."))
    return response


@router.post("/benachrichtigungen/{notification_id:id}/gelesen")
def mark_read(request: Request, notification_id: int, member: Member, db: DbSession) -> Response:
    """Mark one notification as read."""
    service.mark_read(db, member, notification_id)
    return RedirectResponse("/benachrichtigungen", status_code=303)


@router.get("/vorhaben/{vorhaben_id:id}/erwaehnen")
def mention_suggestions(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    q: Annotated[str, Query(max_length=mentions.QUERY_MAX)] = "",
) -> Response:
    """Members to mention in the discussion of a Vorhaben: only those who may see it. The
    comment form's finder loads the list (htmx) and inserts what a button holds; without
    JavaScript a page of its own shows what to type."""
    vorhaben = vorhaben_service.get(db, member, vorhaben_id)
    return mention_page.answer(
        request,
        heading=_("Mitglieder erwähnen"),
        query=q,
        candidates=mentions.candidates(db, member, vorhaben, q),
        url=f"/vorhaben/{vorhaben.id}/erwaehnen",
        back_href=f"/vorhaben/{vorhaben.id}#kommentare",
        back_text=_("Zurück zu „%(title)s“", title=vorhaben.title),
        explain=_(
            "Wer in einem Kommentar erwähnt wird, erfährt davon. Vorgeschlagen werden nur "
            "Mitglieder, die dieses Vorhaben sehen können. Schreiben Sie die angezeigte "
            "Zeichenfolge in Ihren Kommentar."
        ),
        nobody=_("Niemand gefunden, der dieses Vorhaben sehen kann."),
        nav="vorhaben",
    )


@router.get("/kreise/{circle_id:id}/erwaehnen")
def circle_mention_suggestions(
    request: Request,
    circle_id: int,
    member: Member,
    db: DbSession,
    q: Annotated[str, Query(max_length=mentions.QUERY_MAX)] = "",
) -> Response:
    """Members to mention in a circle's topics: only the circle's active members (404 for
    anyone else). Works like the Vorhaben's finder."""
    circle = db.get(Circle, circle_id)
    if circle is None or not can_see_circle_content(db, member, circle_id):
        raise NotFound(_("Diesen Kreis gibt es nicht."))
    return mention_page.answer(
        request,
        heading=_("Mitglieder erwähnen"),
        query=q,
        candidates=mentions.circle_candidates(db, member, circle_id, q),
        url=f"/kreise/{circle_id}/erwaehnen",
        back_href=f"/kreise/{circle_id}",
        back_text=_("Zurück zu „%(title)s“", title=circle.name),
        explain=_(
            "Wer in einem Kommentar erwähnt wird, erfährt davon. Vorgeschlagen werden nur "
            "Mitglieder dieses Kreises. Schreiben Sie die angezeigte Zeichenfolge in Ihren "
            "Kommentar."
        ),
        nobody=_("Niemand aus diesem Kreis gefunden."),
        nav="kreise",
    )
