"""Entry level: who reacts to what. The reacting domains subscribe their handlers to the
event hub (app.events), and the unread badge is given to the header; create_app, the CLI
and the worker call wire() before any unit of work. Calling it again changes nothing."""

from __future__ import annotations

from app.auth import deps as auth_deps
from app.export import subscribers as export_subscribers
from app.notifications import service as notifications
from app.notifications import subscribers as notification_subscribers
from app.search import subscribers as search_subscribers


def wire() -> None:
    """Subscribe every reaction (idempotent). The search index hears of a comment before
    the notifications are made, as the comment service did it in one piece before."""
    search_subscribers.subscribe()
    notification_subscribers.subscribe()
    export_subscribers.subscribe()
    auth_deps.count_in_header("unread_count", notifications.unread_count)
