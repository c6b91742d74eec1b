"""A circle's topics (Themen): the form for a new one and one topic's page. Only the
circle's active members see either; everyone else gets the 404 of a topic that is not
there (app.vorhaben.visibility decides, through app.topics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.attachments import routes as attachment_routes
from app.attachments import service as attachments
from app.attachments import views as attachment_views
from app.auth.deps import Member
from app.circles import repository as circle_repository
from app.comments import links as comment_links
from app.comments import topic_comments
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import parse_id
from app.dates import views as date_views
from app.i18n import gettext as _
from app.notifications import topics as topic_notifications
from app.topics import service as topics
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


def _circle_of_member(
    db: DbSession, member: Member, circle_id: int
) -> circle_repository.CircleView:
    seen = circle_repository.view(db, member, circle_id)
    if not seen.member:
        raise NotFound(_("Dieses Thema gibt es nicht oder Sie können es nicht sehen."))
    return seen


def _form_page(
    request: Request,
    seen: circle_repository.CircleView,
    title: str = "",
    body: str = "",
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    request.state.nav = "kreise"
    return render(
        request,
        "circles/topic_form.html",
        {
            "page_title": _("Neues Thema"),
            "circle": seen.circle,
            "title": title,
            "body": body,
            "errors": errors or {},
            "labels": {"title": _("Titel"), "body": _("Worum geht es?")},
        },
        status_code=status_code,
    )


@router.get("/kreise/{circle_id:id}/themen/neu")
def new_topic(request: Request, circle_id: int, member: Member, db: DbSession) -> Response:
    """The form for a new topic (members of the circle)."""
    return _form_page(request, _circle_of_member(db, member, circle_id))


@router.post("/kreise/{circle_id:id}/themen/neu")
def create_topic(
    request: Request,
    circle_id: int,
    member: Member,
    db: DbSession,
    title: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    """Open a topic (303 to it); errors come back next to the fields with the text kept."""
    seen = _circle_of_member(db, member, circle_id)
    try:
        with db.begin_nested():
            topic = topics.create(db, member, circle_id, title, body)
    except ValidationFailed as error:
        return _form_page(request, seen, title, body, error.errors, status_code=422)
    response = RedirectResponse(f"/kreise/{circle_id}/themen/{topic.id}", status_code=303)
    flash(request, response, _("Das Thema ist eröffnet."))
    return response


def _topic_page(
    request: Request,
    db: DbSession,
    member: Member,
    circle_id: int,
    topic_id: int,
    *,
    until: int | None = None,
    body: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "kreise"
    topic = topics.get(db, member, topic_id, circle_id)
    seen = circle_repository.view(db, member, circle_id)
    context = topic_comments.thread_context(db, topic, until)
    if until is not None and not context["threads"]:
        raise NotFound(_("Diese Kommentare gibt es nicht."))
    return render(
        request,
        "circles/topic.html",
        {
            "page_title": topic.title,
            "topic": topic,
            "circle": seen.circle,
            **context,
            "comment_body": body,
            "comment_errors": errors or {},
            "focus_comment": None,
        }
        | date_views.topic_context(db, member, topic.id)
        | attachment_views.topic_context(db, topic.id),
        status_code=status_code,
    )


@router.get("/kreise/{circle_id:id}/themen/{topic_id:id}")
def topic_page(
    request: Request,
    circle_id: int,
    topic_id: int,
    member: Member,
    db: DbSession,
    bis: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One topic with its discussion, for the members of its circle: the newest threads,
    or (`bis`) an older page of them, paged as a Vorhaben's discussion; htmx loads an older
    page in place of its "older comments" control."""
    until = parse_id(bis)
    if until is not None and is_htmx(request):
        topic = topics.get(db, member, topic_id, circle_id)
        context = topic_comments.thread_context(db, topic, until, newer=False)
        shown = context["threads"]
        if not shown:
            raise NotFound(_("Diese Kommentare gibt es nicht."))
        # The newest thread loaded takes the focus: it sits where the control was.
        return render(
            request,
            "comments/_threads.html",
            {
                **context,
                "focus_comment": shown[-1][0].id,
                "attachments": attachment_views.of_topic(db, topic.id),
            },
        )
    return _topic_page(request, db, member, circle_id, topic_id, until=until)


@router.post("/kreise/{circle_id:id}/themen/{topic_id:id}/kommentare")
def comment_on_topic(
    request: Request,
    circle_id: int,
    topic_id: int,
    member: Member,
    db: DbSession,
    body: Annotated[str, Form()] = "",
    datei: attachment_routes.Upload = None,
) -> Response:
    """Comment on a topic, with a file if one was chosen (303 back to it); an error keeps
    the text next to the field (the file is checked before the comment is written, and a
    comment whose file does not fit is not kept without it)."""
    settings = request.app.state.settings
    try:
        upload = attachment_routes.chosen(datei)
        checked = (
            attachments.check(settings, upload.filename or "", upload.file) if upload else None
        )
        with db.begin_nested():
            comment = topic_comments.post(db, member, topic_id, circle_id, body)
            topic = topics.get(db, member, topic_id)
            if checked is not None:
                attachments.store(
                    db, settings, checked, None, member, topic=topic, comment_id=comment.id
                )
            # The topic's followers hear of it (its author and who commented on it).
            topic_notifications.commented(db, settings, topic, comment, member)
    except ValidationFailed as error:
        return _topic_page(
            request,
            db,
            member,
            circle_id,
            topic_id,
            body=body,
            errors=error.errors,
            status_code=422,
        )
    return RedirectResponse(comment_links.url(db, comment.id), status_code=303)
