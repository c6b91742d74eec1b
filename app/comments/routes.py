"""Comments: the older pages of a discussion, post and reply (htmx swaps the thread; a plain
POST redirects), edit, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.attachments import routes as attachment_routes
from app.attachments import service as attachments
from app.attachments import views as attachment_views
from app.auth.deps import Member
from app.circles.models import Topic
from app.comments import links, service, threads, topic_comments
from app.comments.models import Comment
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.vorhaben import page
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Vorhaben
from app.vorhaben.routes import detail_context
from app.vorhaben.visibility import can_see_comment
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import is_htmx, render

router = routing.router(include_in_schema=False)


def _thread_fragment(
    request: Request,
    db: DbSession,
    member: Member,
    vorhaben_id: int,
    *,
    body: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    focus: int | None = None,
    holding: int | None = None,
) -> Response:
    """The thread: the newest page, or the page that holds the comment `holding` (a reply
    or a deletion far back in a long discussion stays in sight); after a new comment
    (focus), also the follow button, which commenting turned (out of band)."""
    vorhaben = page.discussed(db, member, vorhaben_id)
    until = links.until_of(db, holding) if holding is not None else None
    return render(
        request,
        "comments/_thread.html",
        {
            "vorhaben": vorhaben,
            **threads.thread_context(db, vorhaben.id, until),
            "comment_body": body,
            "comment_errors": errors or {},
            "focus_comment": focus,
            "refresh_follow": focus is not None,
            **attachment_views.page_context(db, vorhaben.id),
        },
        status_code=status_code,
    )


@router.get("/vorhaben/{vorhaben_id:id}/kommentare")
def older(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    bis: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A page of the discussion, the threads up to and including that of the top-level
    comment `bis`: the Vorhaben page loads it in place of its "older comments" control
    (htmx); without JavaScript, and for links to an older comment, a page of its own."""
    request.state.nav = "vorhaben"
    vorhaben = page.discussed(db, member, vorhaben_id)
    until = parse_id(bis)
    if until is None:  # the newest page is the Vorhaben page's own
        return RedirectResponse(f"/vorhaben/{vorhaben.id}#kommentare", status_code=303)
    inline = is_htmx(request)
    context = threads.thread_context(db, vorhaben.id, until, newer=not inline)
    shown = context["threads"]
    if not shown:
        raise NotFound(_("Diese Kommentare gibt es nicht."))
    context.update(attachment_views.page_context(db, vorhaben.id))
    if inline:
        # The newest thread loaded takes the focus: it sits where the control was.
        context.update(vorhaben=vorhaben, focus_comment=shown[-1][0].id)
        return render(request, "comments/_threads.html", context)
    return render(
        request,
        "comments/page.html",
        {
            "page_title": _("Diskussion: %(title)s", title=vorhaben.title),
            "vorhaben": vorhaben,
            **context,
            "comment_body": "",
            "comment_errors": {},
            "focus_comment": None,
        },
    )


@router.post("/vorhaben/{vorhaben_id:id}/comments")
def post_comment(
    request: Request,
    vorhaben_id: int,
    member: Member,
    db: DbSession,
    body: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form(max_length=20)] = "",
    datei: attachment_routes.Upload = None,
) -> Response:
    """Post a comment or a reply, with a file if one was chosen; errors come back next to
    the field with the text kept (the file is checked before the comment is written)."""
    parent = parse_id(parent_id)
    settings = request.app.state.settings
    posted = False
    try:
        upload = attachment_routes.chosen(datei)
        checked = (
            attachments.check(settings, upload.filename or "", upload.file) if upload else None
        )
        comment = service.post(db, settings, member, vorhaben_id, body, parent)
        posted = True
        if checked is not None:
            vorhaben = vorhaben_service.get(db, member, vorhaben_id)
            attachments.store(db, settings, checked, vorhaben, member, comment_id=comment.id)
    except ValidationFailed as error:
        if posted:  # the file did not fit: the comment is not kept without it
            db.rollback()
        answered = _answerable(db, member, vorhaben_id, parent) if parent is not None else None
        if answered is not None:  # a failed reply comes back into its own form
            return _reply_page(
                request, db, *answered, body=body, errors=error.errors, status_code=422
            )
        if is_htmx(request):
            return _thread_fragment(
                request, db, member, vorhaben_id, body=body, errors=error.errors, status_code=422
            )
        context = detail_context(db, member, vorhaben_id)
        context.update(comment_body=body, comment_errors=error.errors)
        request.state.nav = "vorhaben"
        return render(request, "vorhaben/detail.html", context, status_code=422)
    if is_htmx(request):
        return _thread_fragment(
            request, db, member, vorhaben_id, focus=comment.id, holding=comment.id
        )
    return RedirectResponse(links.url(db, comment.id), status_code=303)


@router.get("/vorhaben/{vorhaben_id:id}/kommentare/{comment_id:id}/antworten")
def reply_form(
    request: Request, vorhaben_id: int, comment_id: int, member: Member, db: DbSession
) -> Response:
    """The reply form of a thread: htmx puts it in place of the thread's "Antworten" link;
    without JavaScript it is a page with the comment it answers."""
    answered = _answerable(db, member, vorhaben_id, comment_id)
    if answered is None:
        raise NotFound(_("Auf diesen Kommentar kann nicht geantwortet werden."))
    return _reply_page(request, db, *answered)


def _answerable(
    db: DbSession, member: Member, vorhaben_id: int, comment_id: int
) -> tuple[page.Discussed, Comment] | None:
    """The Vorhaben and the comment starting a thread, if the member may answer it: the
    discussion is open and the comment is there for them, neither deleted nor hidden (the
    Vorhaben itself 404s when the member may not see it)."""
    vorhaben = page.discussed(db, member, vorhaben_id)
    if vorhaben.is_locked or vorhaben.is_hidden:
        return None
    comment = service.thread_start(db, member, vorhaben.id, comment_id)
    return (vorhaben, comment) if comment is not None else None


def _reply_page(
    request: Request,
    db: DbSession,
    vorhaben: page.Discussed,
    parent: Comment,
    *,
    body: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The reply form in place (htmx; a failed reply replaces its own form, not the
    thread), or the reply page."""
    context = {
        "page_title": _("Antworten: %(title)s", title=vorhaben.title),
        "vorhaben": vorhaben,
        "parent": threads.CommentView.of(parent),
        "reply_body": body,
        "reply_errors": errors or {},
    }
    if is_htmx(request):
        response = render(request, "comments/_reply_form.html", context, status_code=status_code)
        if errors:
            response.headers["HX-Retarget"] = f"#antwort-{parent.id}"
            response.headers["HX-Reswap"] = "outerHTML"
        return response
    request.state.nav = "vorhaben"
    context.update(
        can_see_comment=can_see_comment,
        comment_url=links.url(db, parent.id),
        **attachment_views.page_context(db, vorhaben.id),
    )
    return render(request, "comments/reply.html", context, status_code=status_code)


def _edit_page(
    request: Request,
    db: DbSession,
    comment: Comment,
    place: service.Place,
    body: str,
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """The edit form: in place of the comment for htmx, else as a page of its own."""
    inline = is_htmx(request)
    return render(
        request,
        "comments/_edit_form.html" if inline else "comments/edit.html",
        {
            "page_title": _("Kommentar bearbeiten"),
            "comment": comment,
            "place_title": place.title,
            # The mention finder searches a Vorhaben's readers (a topic's comment has none).
            "vorhaben": place if isinstance(place, Vorhaben) else None,
            "body": body,
            "errors": errors or {},
            "inline": inline,
            "comment_url": links.url(db, comment.id),
        },
        status_code=status_code,
    )


def _comment_fragment(request: Request, db: DbSession, comment: Comment) -> Response:
    files = (
        attachment_views.page_context(db, comment.vorhaben_id)
        if comment.vorhaben_id is not None
        else {}  # a topic's comments carry no files
    )
    return render(
        request,
        "comments/_comment.html",
        {
            "c": threads.CommentView.of(comment),
            "focus_comment": comment.id,
            "can_see_comment": can_see_comment,
            **files,
        },
    )


def _topic_fragment(request: Request, db: DbSession, member: Member, comment: Comment) -> Response:
    """A topic's discussion (the page that holds the comment) in place of #comments."""
    _comment, topic = service.get(db, member, comment.id, moderation=True)
    if not isinstance(topic, Topic):
        raise NotFound
    return render(
        request,
        "circles/_topic_thread.html",
        {
            "topic": topic,
            **topic_comments.thread_context(db, topic, links.until_of(db, comment.id)),
            "comment_body": "",
            "comment_errors": {},
            "focus_comment": None,
        },
    )


@router.get("/kommentare/{comment_id:id}")
def show(request: Request, comment_id: int, member: Member, db: DbSession) -> Response:
    """One comment: its fragment for htmx (an edit cancelled), else its place in the thread."""
    comment, _place = service.get(db, member, comment_id)
    if is_htmx(request):
        return _comment_fragment(request, db, comment)
    return RedirectResponse(links.url(db, comment.id), status_code=303)


@router.get("/kommentare/{comment_id:id}/bearbeiten")
def edit_form(request: Request, comment_id: int, member: Member, db: DbSession) -> Response:
    """The edit form (in place with htmx, or as a page)."""
    comment, place = service.editable(db, member, comment_id)
    return _edit_page(request, db, comment, place, comment.body)


@router.post("/kommentare/{comment_id:id}/bearbeiten")
def edit(
    request: Request,
    comment_id: int,
    member: Member,
    db: DbSession,
    body: Annotated[str, Form()] = "",
) -> Response:
    """Save the new wording; the old one goes into the history."""
    try:
        comment = service.edit(db, member, comment_id, body, settings=request.app.state.settings)
    except ValidationFailed as error:
        comment, place = service.get(db, member, comment_id)
        return _edit_page(request, db, comment, place, body, error.errors, status_code=422)
    if is_htmx(request):
        return _comment_fragment(request, db, comment)
    return RedirectResponse(links.url(db, comment.id), status_code=303)


@router.post("/kommentare/{comment_id:id}/loeschen")
def delete(
    request: Request,
    comment_id: int,
    member: Member,
    db: DbSession,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Delete a comment (author or moderator); a marker stays in the thread."""
    comment = service.delete(db, member, comment_id, reason, settings=request.app.state.settings)
    if is_htmx(request):
        if comment.topic_id is not None:
            return _topic_fragment(request, db, member, comment)
        return _thread_fragment(
            request, db, member, service.vorhaben_of(comment), holding=comment.id
        )
    response = RedirectResponse(links.url(db, comment.id), status_code=303)
    flash(request, response, _("Der Kommentar wurde gelöscht."))
    return response


@router.get("/kommentare/{comment_id:id}/verlauf")
def history(request: Request, comment_id: int, member: Member, db: DbSession) -> Response:
    """Earlier wordings of an edited comment."""
    comment, revisions = service.history(db, member, comment_id)
    _comment, place = service.get(db, member, comment.id)
    return render(
        request,
        "comments/history.html",
        {
            "page_title": _("Verlauf des Kommentars"),
            "comment": comment,
            "place_title": place.title,
            "revisions": revisions,
            "comment_url": links.url(db, comment.id),
        },
    )
