"""The audit log for moderators: every recorded decision and security event, in words."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from app.audit import labels as audit_labels
from app.audit import service as audit
from app.auth.deps import Moderator
from app.core.ids import parse_id
from app.i18n import gettext as _
from app.membership import accounts
from app.municipalities import service as municipalities
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(prefix="/moderation", include_in_schema=False)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _people(db: DbSession, text: str) -> tuple[int | None, tuple[int, ...] | None]:
    """A person filter of the log: an account number, or a name or mail to look up."""
    text = text.strip()
    if not text:
        return None, None
    if text.isdigit():
        return parse_id(text), None
    return None, tuple(account.id for account in accounts.directory(db, query=text))


@router.get("/audit")
def audit_log(
    request: Request,
    moderator: Moderator,
    db: DbSession,
    action: Annotated[str, Query(max_length=60)] = "",
    actor: Annotated[str, Query(max_length=200)] = "",
    subject: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Every recorded decision and security event, filterable, in words."""
    request.state.nav = "moderation"
    actor_id, actor_ids = _people(db, actor)
    subject_id, subject_ids = _people(db, subject)
    filters = audit.AuditFilter(
        action=action,
        actor_id=actor_id,
        subject_id=subject_id,
        since=_date(since),
        until=_date(until),
        actor_ids=actor_ids,
        subject_ids=subject_ids,
    )
    page = audit.search(db, filters, after=after)
    people_ids = {event.actor_id for event in page.items} | {
        event.subject_id for event in page.items
    }
    people_ids |= {
        int(event.object_id)
        for event in page.items
        if event.object_type == "account" and event.object_id and event.object_id.isdigit()
    }
    names = accounts.names(db, {pid for pid in people_ids if pid})
    places = municipalities.display_names(
        db,
        {
            event.object_id
            for event in page.items
            if event.object_type == "municipality" and event.object_id
        },
    )
    return render(
        request,
        "moderation/audit.html",
        {
            "page_title": _("Protokoll"),
            "page": page,
            "filters": filters,
            "actions": [(name, audit_labels.action_label(name)) for name in audit.actions(db)],
            "names": names,
            "entries": [
                audit_labels.Entry(
                    event,
                    audit_labels.action_label(event.action),
                    audit_labels.target_of(
                        event.object_type,
                        event.object_id,
                        account_names=names,
                        municipality_names=places,
                    ),
                    audit_labels.describe_details(event.details or {}),
                )
                for event in page.items
            ],
            "nobody": [
                label
                for label, ids in (
                    (_("Handelnde Person"), actor_ids),
                    (_("Betroffene Person"), subject_ids),
                )
                if ids == ()
            ],
            "query": {
                "action": action,
                "actor": actor,
                "subject": subject,
                "since": since,
                "until": until,
            },
        },
    )
