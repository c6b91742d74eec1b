"""/dev/mails: what the outbox holds and sent, readable in the browser during development
(only with ALLMENDE_DEV_LOGIN, never in production), so the demo shows its mails."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from app.core.errors import NotFound
from app.i18n import N_
from app.i18n import gettext as _
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.web import routing
from app.web.deps import DbSession
from app.web.templating import render

router = routing.router(include_in_schema=False)

SHOWN = 100
STATE_LABELS = {
    DeliveryState.PENDING: N_("Ausstehend"),
    DeliveryState.DELIVERED: N_("Zugestellt"),
    DeliveryState.FAILED: N_("Aufgegeben"),
    DeliveryState.DROPPED: N_("Nicht versandt"),
}


@router.get("/dev/mails")
def dev_mails(request: Request, db: DbSession) -> Response:
    """The latest mails of the outbox, newest first (development only)."""
    settings = request.app.state.settings
    # Mails hold names, addresses and trust-space content: a production installation
    # never shows them, whatever settings were built around load_settings()'s check.
    if not settings.dev_login or settings.is_production:
        raise NotFound
    mails = list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.MAIL)
            .order_by(OutboxMessage.id.desc())
            .limit(SHOWN)
        )
    )
    return render(
        request,
        "dev/mails.html",
        {
            "page_title": _("Mails (Entwicklung)"),
            "mails": mails,
            "state_labels": STATE_LABELS,
            "smtp": bool(settings.smtp_url),
        },
    )
