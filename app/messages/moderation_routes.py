"""The moderators' side of direct messages: open reports of messages, the reported
conversation (read only through an open report, and audited), the decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import Account
from app.attachments import routes as attachment_routes
from app.auth.deps import Moderator
from app.core.errors import ValidationFailed
from app.i18n import gettext as _
from app.messages import files, moderation
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)


@router.get("/moderation/nachrichten")
def reports(request: Request, moderator: Moderator, db: DbSession) -> Response:
    """Open reports of messages (without the messages: they are read one by one)."""
    request.state.nav = "moderation"
    return render(
        request,
        "messages/moderation_list.html",
        {"page_title": _("Gemeldete Nachrichten"), "reports": moderation.open_reports(db)},
    )


def _page(
    request: Request,
    db: DbSession,
    moderator: Account,
    conversation_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "moderation"
    view, open_reports = moderation.for_moderator(db, moderator, conversation_id)
    return render(
        request,
        "messages/moderation_conversation.html",
        {
            "page_title": _("Gemeldete Unterhaltung"),
            "view": view,
            "reports": open_reports,
            "reported": {entry.message_id for entry in open_reports},
            "files": files.by_message_for_moderator(db, view.messages),
            "form": form or {},
            "errors": errors or {},
            "labels": {"decision": _("Entscheidung"), "reason": _("Begründung")},
        },
        status_code=status_code,
    )


@router.get("/moderation/nachrichten/{conversation_id:id}")
def conversation(
    request: Request, conversation_id: int, moderator: Moderator, db: DbSession
) -> Response:
    """A reported conversation (404 without an open report); each view is audited."""
    return _page(request, db, moderator, conversation_id)


@router.get("/moderation/nachrichten/anhaenge/{attachment_id:id}")
def download(request: Request, attachment_id: int, moderator: Moderator, db: DbSession) -> Response:
    """A reported conversation's file (404 without an open report); each download is
    audited."""
    attachment = files.readable_by_moderator(db, moderator, attachment_id)
    return attachment_routes.serve(request.app.state.settings, attachment)


@router.post("/moderation/nachrichten/meldungen/{report_id:id}")
def decide(
    request: Request,
    report_id: int,
    moderator: Moderator,
    db: DbSession,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Dismiss the reports of a message or hide it; errors come back with the form kept."""
    try:
        entry = moderation.decide(db, moderator, report_id, decision, reason)
    except ValidationFailed as error:
        conversation_id = moderation.conversation_of(db, report_id)
        return _page(
            request,
            db,
            moderator,
            conversation_id,
            form={"decision": decision, "reason": reason, "report": str(report_id)},
            errors=error.errors,
            status_code=422,
        )
    response = RedirectResponse("/moderation/nachrichten", status_code=303)
    flash(request, response, _("Entschieden: Meldung Nr. %(id)s.", id=entry.id))
    return response
