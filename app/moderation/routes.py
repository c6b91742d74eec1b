"""Reporting content (members), the moderators' overview, the report queue and decisions
(moderators), and the author's one request for a review of hidden content."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Member, Moderator
from app.comments import links as comment_links
from app.comments import threads as comment_threads
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _
from app.moderation import overview as moderation_overview
from app.moderation import queue as report_queue
from app.moderation import reports
from app.moderation.models import CATEGORY_LABELS, TargetType
from app.moderation.targets import Target, for_reader, load_target, readable
from app.vorhaben.visibility import can_see, can_see_comment, can_see_topic
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)

KINDS = {"vorhaben": TargetType.VORHABEN.value, "kommentare": TargetType.COMMENT.value}
LABELS = {
    "category": N_("Grund"),
    "text": N_("Erläuterung"),
    "reason": N_("Begründung"),
    "action": N_("Maßnahme"),
}
ACTION_LABELS = {
    "dismiss": N_("Meldungen zurückweisen (Beitrag bleibt)"),
    "hide": N_("Ausblenden"),
    "restore": N_("Wieder einblenden"),
    "lock": N_("Diskussion schließen"),
    "unlock": N_("Diskussion wieder öffnen"),
    "suspend": N_("Autorin/Autor sperren und Beitrag ausblenden"),
}


def _target_type(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound
    return KINDS[kind]


def _back(db: DbSession, target: Target) -> str:
    """Where the reported content is: a comment on the page of its discussion that holds it."""
    if target.comment is not None:
        return comment_links.url(db, target.comment.id)
    return f"/vorhaben/{target.required_vorhaben.id}"


def _report_page(
    request: Request,
    db: DbSession,
    member: Member,
    kind: str,
    target_id: int,
    *,
    category: str = "",
    text: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    target = for_reader(db, member, _target_type(kind), target_id)
    return render(
        request,
        "reports/form.html",
        {
            "page_title": _("Beitrag melden"),
            "target": target,
            "kind": kind,
            "category_options": [(key.value, _(label)) for key, label in CATEGORY_LABELS.items()],
            "category": category,
            "text": text,
            "errors": errors or {},
            "labels": {key: _(value) for key, value in LABELS.items()},
            "back": _back(db, target),
        },
        status_code=status_code,
    )


def _report_form(
    request: Request, kind: str, target_id: int, member: Member, db: DbSession
) -> Response:
    return _report_page(request, db, member, kind, target_id)


def _report(
    request: Request,
    kind: str,
    target_id: int,
    member: Member,
    db: DbSession,
    category: str,
    text: str,
) -> Response:
    try:
        filed = reports.report(
            db, request.app.state.settings, member, _target_type(kind), target_id, category, text
        )
    except ValidationFailed as error:
        return _report_page(
            request,
            db,
            member,
            kind,
            target_id,
            category=category,
            text=text,
            errors=error.errors,
            status_code=422,
        )
    target = load_target(db, filed.target_type.value, filed.target_id)
    response = RedirectResponse(_back(db, target), status_code=303)
    flash(request, response, _("Danke! Die Moderation sieht sich das an."))
    return response


def _request_review(
    request: Request, kind: str, target_id: int, member: Member, db: DbSession, text: str
) -> Response:
    target = reports.request_review(
        db, request.app.state.settings, member, _target_type(kind), target_id, text
    )
    response = RedirectResponse(_back(db, target), status_code=303)
    flash(request, response, _("Ihre Bitte um Überprüfung ist bei der Moderation."))
    return response


@router.get("/vorhaben/{target_id:id}/melden")
def report_vorhaben_form(
    request: Request, target_id: int, member: Member, db: DbSession
) -> Response:
    """The report form for a Vorhaben."""
    return _report_form(request, "vorhaben", target_id, member, db)


@router.post("/vorhaben/{target_id:id}/melden")
def report_vorhaben(
    request: Request,
    target_id: int,
    member: Member,
    db: DbSession,
    category: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """Report a Vorhaben to the moderators."""
    return _report(request, "vorhaben", target_id, member, db, category, text)


@router.get("/kommentare/{target_id:id}/melden")
def report_comment_form(
    request: Request, target_id: int, member: Member, db: DbSession
) -> Response:
    """The report form for a comment."""
    return _report_form(request, "kommentare", target_id, member, db)


@router.post("/kommentare/{target_id:id}/melden")
def report_comment(
    request: Request,
    target_id: int,
    member: Member,
    db: DbSession,
    category: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """Report a comment to the moderators."""
    return _report(request, "kommentare", target_id, member, db, category, text)


@router.post("/vorhaben/{target_id:id}/ueberpruefung")
def review_vorhaben(
    request: Request,
    target_id: int,
    member: Member,
    db: DbSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    """The author asks once for a second look at a hidden Vorhaben."""
    return _request_review(request, "vorhaben", target_id, member, db, text)


@router.post("/kommentare/{target_id:id}/ueberpruefung")
def review_comment(
    request: Request,
    target_id: int,
    member: Member,
    db: DbSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    """The author asks once for a second look at a hidden comment."""
    return _request_review(request, "kommentare", target_id, member, db, text)


# -- moderators --------------------------------------------------------------------------------


# -- the moderators' overview and the report queue --------------------------------------


@router.get("/moderation")
def overview(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """What waits for the moderators, queue by queue."""
    request.state.nav = "moderation"
    return render(
        request,
        "moderation/overview.html",
        {"page_title": _("Moderation"), "waiting": moderation_overview.waiting(db)},
    )


@router.get("/moderation/reports")
def queue(request: Request, moderator: Moderator, db: DbSession, state: str = "open") -> Response:
    """Reported content, oldest first, and hidden content whose authors asked for review."""
    request.state.nav = "moderation"
    entries = report_queue.queue(db, state=state)
    targets = {
        (entry.target_type.value, entry.target_id): load_target(
            db, entry.target_type.value, entry.target_id
        )
        for entry in entries
    }
    reviews = report_queue.review_requests(db)
    # A title shows only where the moderator may read it as a member; restricted content
    # is read on its decision page, where the view is audited, and only while a report or
    # a request for review is open.
    shown: dict[tuple[str, int], bool] = {}
    linked: dict[tuple[str, int], bool] = {}
    for target in [*targets.values(), *reviews]:
        key = (target.type.value, target.id)
        shown[key] = readable(moderator, target)
        linked[key] = shown[key] or reports.grant(db, target) is not None
    return render(
        request,
        "reports/queue.html",
        {
            "page_title": _("Meldungen"),
            "entries": entries,
            "targets": targets,
            "reviews": reviews,
            "shown": shown,
            "linked": linked,
            "state": state,
            "category_labels": {key.value: _(label) for key, label in CATEGORY_LABELS.items()},
        },
    )


def _decision_page(
    request: Request,
    db: DbSession,
    moderator: Moderator,
    target_type: str,
    target_id: int,
    *,
    errors: dict[str, str] | None = None,
    action: str = "",
    reason: str = "",
    status_code: int = 200,
) -> Response:
    request.state.nav = "moderation"
    target = reports.for_moderator(db, moderator, target_type, target_id)
    # The discussion around it only where the moderator may read it as a member; in it,
    # hidden comments only as the members' rule allows, and the reported one.
    if target.topic is not None:
        context_visible = can_see_topic(moderator, target.topic)
        of, place_id = comment_threads.TOPIC, target.topic.id
    else:
        context_visible = can_see(moderator, target.required_vorhaben)
        of, place_id = comment_threads.VORHABEN, target.required_vorhaben.id
    # Of a long discussion the page that holds the reported comment (or the newest).
    thread: comment_threads.Threads = ()
    if context_visible:
        until = comment_links.until_of(db, target.comment.id) if target.comment else None
        thread = comment_threads.page(db, place_id, until, of=of).threads
    return render(
        request,
        "reports/decide.html",
        {
            "page_title": _("Meldung prüfen"),
            "target": target,
            "restricted": not readable(moderator, target),
            "context_visible": context_visible,
            "reader": moderator,
            "can_see_comment": can_see_comment,
            "revisions": report_queue.earlier_wordings(db, target),
            "reports": report_queue.reports_on(db, target),
            "thread": thread,
            "own": target.author_id == moderator.id,
            # A topic's discussion has nothing to close.
            "action_options": [
                (key, _(label))
                for key, label in ACTION_LABELS.items()
                if target.vorhaben is not None or key not in {"lock", "unlock"}
            ],
            "errors": errors or {},
            "action": action if action in reports.ACTIONS else "",
            "reason": reason,
            "labels": {key: _(value) for key, value in LABELS.items()},
            "category_labels": {key.value: _(label) for key, label in CATEGORY_LABELS.items()},
        },
        status_code=status_code,
    )


@router.get("/moderation/reports/{target_type}/{target_id:id}")
def decision_page(
    request: Request, target_type: str, target_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """The reported content in its context, the reports, and the possible measures."""
    return _decision_page(request, db, moderator, target_type, target_id)


@router.post("/moderation/reports/{target_type}/{target_id:id}")
def decide(
    request: Request,
    target_type: str,
    target_id: int,
    moderator: Moderator,
    db: DbSession,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Dismiss, hide, restore, lock or unlock, or suspend the author (audited, author told)."""
    try:
        reports.decide(
            db, request.app.state.settings, moderator, target_type, target_id, action, reason
        )
    except (ValidationFailed, Conflict, Forbidden) as error:
        # The page comes back with the measure and the reason as typed.
        return _decision_page(
            request,
            db,
            moderator,
            target_type,
            target_id,
            errors=error.errors
            if isinstance(error, ValidationFailed)
            else {"action": error.message},
            action=action,
            reason=reason,
            status_code=error.status_code,
        )
    response = RedirectResponse("/moderation/reports", status_code=303)
    flash(request, response, _("Entscheidung gespeichert: %(what)s", what=_(ACTION_LABELS[action])))
    return response
