"""Direct messages: the list of conversations, one conversation with its reply form, a new
conversation (from a profile, a comment's author or a Vorhaben's contacts:
/nachrichten/neu?an=ID), reporting a message, blocking. Everyone but the participants gets
404 for a conversation (moderators too: app.messages.moderation_routes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.accounts.models import Account
from app.attachments import routes as attachment_routes
from app.attachments import service as attachments
from app.attachments.service import Checked
from app.auth.deps import Member
from app.core.errors import Conflict, ValidationFailed
from app.i18n import gettext as _
from app.messages import blocks, files, moderation, service
from app.messages.models import Message
from app.web import routing
from app.web.deps import DbSession
from app.web.flash import flash
from app.web.templating import render

router = routing.router(include_in_schema=False)

CHOSEN_MAX = 50  # ids read from a form or a link; more than a conversation can hold
# No length limit on the lists themselves: 20+ recipients get the service's own message.
Recipients = Annotated[list[str], Form()]


def _labels() -> dict[str, str]:
    return {"an": _("Empfänger"), "body": _("Nachricht"), "text": _("Grund"), "datei": _("Datei")}


def _checked(request: Request, datei: UploadFile | None) -> tuple[Checked | None, dict[str, str]]:
    """The chosen file, checked before the first statement (on SQLite that takes the write
    lock), or the reason it was refused."""
    upload = attachment_routes.chosen(datei)
    if upload is None:
        return None, {}
    try:
        return attachments.check(request.app.state.settings, upload.filename or "", upload.file), {}
    except ValidationFailed as error:
        return None, error.errors


@router.get("/nachrichten")
def conversation_list(request: Request, member: Member, db: DbSession) -> Response:
    """The member's conversations, newest activity first, unread ones marked."""
    request.state.nav = "messages"
    return render(
        request,
        "messages/list.html",
        {"page_title": _("Nachrichten"), "conversations": service.conversations(db, member)},
    )


def _new_form(
    request: Request,
    db: DbSession,
    member: Account,
    chosen: list[str],
    *,
    body: str = "",
    search: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "messages"
    recipients = service.messageable(db, member, service.chosen_ids(chosen[:CHOSEN_MAX]))
    chosen_ids = {account.id for account in recipients}
    found = [
        account
        for account in service.find_members(db, member, search)
        if account.id not in chosen_ids
    ]
    return render(
        request,
        "messages/new.html",
        {
            "page_title": _("Neue Nachricht"),
            "recipients": recipients,
            "found": found,
            "search": search,
            "body": body,
            "errors": errors or {},
            "labels": _labels(),
            "participants_max": service.PARTICIPANTS_MAX,
        },
        status_code=status_code,
    )


@router.get("/nachrichten/neu")
def new_form(
    request: Request,
    member: Member,
    db: DbSession,
    an: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies it
    suche: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """A new conversation: the chosen recipients, a search for more, the message."""
    return _new_form(request, db, member, an, search=suche)


@router.post("/nachrichten/neu")
def start(
    request: Request,
    member: Member,
    db: DbSession,
    an: Recipients = [],  # noqa: B006 - FastAPI copies it
    body: Annotated[str, Form()] = "",
    datei: attachment_routes.Upload = None,
) -> Response:
    """Write to the chosen members, with a file if one was chosen; errors come back with the
    text and the choice kept (the file is checked before anything is written)."""
    checked, file_errors = _checked(request, datei)
    try:
        conversation = service.start(
            db, request.app.state.settings, member, an, body, checked=checked, errors=file_errors
        )
    except ValidationFailed as error:
        db.rollback()  # a file over the conversation's limit: the message is not kept either
        return _new_form(request, db, member, an, body=body, errors=error.errors, status_code=422)
    return RedirectResponse(f"/nachrichten/{conversation.id}#antworten", status_code=303)


def _conversation_page(
    request: Request,
    db: DbSession,
    member: Account,
    conversation_id: int,
    *,
    body: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "messages"
    view = service.read(db, member, conversation_id)
    # The header's count came with the session, before this visit marked the messages read.
    request.state.unread_messages = max(
        0, getattr(request.state, "unread_messages", 0) - view.newly_read(member.id)
    )
    others = [account for account in view.participants if account.id != member.id]
    shown_files = files.by_message(db, view.messages)
    blocked = {key for key, _name in blocks.blocked_by(db, member)}
    return render(
        request,
        "messages/conversation.html",
        {
            "page_title": _("Unterhaltung"),
            "view": view,
            "others": others,
            "blocked": blocked,
            "files": shown_files,
            "body": body,
            "errors": errors or {},
            "labels": _labels(),
        },
        status_code=status_code,
    )


@router.get("/nachrichten/{conversation_id:id}")
def conversation(request: Request, conversation_id: int, member: Member, db: DbSession) -> Response:
    """One conversation (404 unless the member takes part); reading it marks it read."""
    return _conversation_page(request, db, member, conversation_id)


@router.post("/nachrichten/{conversation_id:id}")
def reply(
    request: Request,
    conversation_id: int,
    member: Member,
    db: DbSession,
    body: Annotated[str, Form()] = "",
    datei: attachment_routes.Upload = None,
) -> Response:
    """Reply in a conversation, with a file if one was chosen; an error comes back with the
    text kept."""
    checked, file_errors = _checked(request, datei)
    try:
        message = service.reply(
            db,
            request.app.state.settings,
            member,
            conversation_id,
            body,
            checked=checked,
            errors=file_errors,
        )
    except ValidationFailed as error:
        db.rollback()  # a file over the conversation's limit: the message is not kept either
        return _conversation_page(
            request, db, member, conversation_id, body=body, errors=error.errors, status_code=422
        )
    return RedirectResponse(
        f"/nachrichten/{conversation_id}#nachricht-{message.id}", status_code=303
    )


@router.get("/nachrichten/anhaenge/{attachment_id:id}")
def download(request: Request, attachment_id: int, member: Member, db: DbSession) -> Response:
    """A message's file, as a download, for the participants who see the message (404 for
    everyone else)."""
    return attachment_routes.serve(
        request.app.state.settings, files.readable(db, member, attachment_id)
    )


@router.get("/nachrichten/anhaenge/{attachment_id:id}/vorschau")
def preview(request: Request, attachment_id: int, member: Member, db: DbSession) -> Response:
    """The re-encoded preview of a message's image, for the same readers as the file."""
    return attachment_routes.serve_preview(
        request.app.state.settings, files.readable(db, member, attachment_id)
    )


def _report_page(
    request: Request,
    message: Message,
    *,
    text: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    request.state.nav = "messages"
    return render(
        request,
        "messages/report.html",
        {
            "page_title": _("Nachricht melden"),
            "message": message,
            "text": text,
            "errors": errors or {},
            "labels": _labels(),
        },
        status_code=status_code,
    )


def _reportable(db: DbSession, member: Account, message_id: int) -> Message:
    message = db.get(Message, message_id)
    if message is None or not service.takes_part(db, member, message.conversation_id):
        raise service.not_found()
    return message


@router.get("/nachrichten/meldung/{message_id:id}")
def report_form(request: Request, message_id: int, member: Member, db: DbSession) -> Response:
    """The form to report a message of the conversation (participants only)."""
    return _report_page(request, _reportable(db, member, message_id))


@router.post("/nachrichten/meldung/{message_id:id}")
def report(
    request: Request,
    message_id: int,
    member: Member,
    db: DbSession,
    text: Annotated[str, Form()] = "",
) -> Response:
    """Report a message to the moderators: they may then read the conversation."""
    message = _reportable(db, member, message_id)
    try:
        moderation.report(db, member, message_id, text)
    except ValidationFailed as error:
        return _report_page(request, message, text=text, errors=error.errors, status_code=422)
    except Conflict as error:
        response = RedirectResponse(f"/nachrichten/{message.conversation_id}", status_code=303)
        flash(request, response, error.message)
        return response
    response = RedirectResponse(f"/nachrichten/{message.conversation_id}", status_code=303)
    flash(
        request,
        response,
        _("Danke. Die Moderation prüft die Nachricht und kann dafür die Unterhaltung lesen."),
    )
    return response


@router.get("/nachrichten/gesperrt")
def blocked_list(request: Request, member: Member, db: DbSession) -> Response:
    """The members one blocked, each with a button to unblock."""
    request.state.nav = "messages"
    return render(
        request,
        "messages/blocked.html",
        {"page_title": _("Gesperrte Mitglieder"), "blocked": blocks.blocked_by(db, member)},
    )


@router.post("/nachrichten/sperren/{account_id:id}")
def block(request: Request, account_id: int, member: Member, db: DbSession) -> Response:
    """Block a member: no new conversations, their new messages no longer reach one."""
    response = RedirectResponse("/nachrichten/gesperrt", status_code=303)
    try:
        blocks.block(db, member, account_id)
    except ValidationFailed as error:
        flash(request, response, error.errors["block"])
        return response
    flash(request, response, _("Das Mitglied ist für Sie gesperrt."))
    return response


@router.post("/nachrichten/entsperren/{account_id:id}")
def unblock(request: Request, account_id: int, member: Member, db: DbSession) -> Response:
    """Hear from a blocked member again."""
    blocks.unblock(db, member, account_id)
    response = RedirectResponse("/nachrichten/gesperrt", status_code=303)
    flash(request, response, _("Die Sperre ist aufgehoben."))
    return response
