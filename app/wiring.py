"""Entry level: who reacts to what, and what lower layers show from higher ones. The
reacting domains subscribe their handlers to the event hub (app.events); the unread badge
is handed to the page header (auth), the discussion and similar Vorhaben to the Vorhaben
pages. create_app, the CLI and the worker call wire() before any unit of work; calling it
again changes nothing."""

from __future__ import annotations

import importlib.util

from app.attachments import storage as attachment_storage
from app.attachments import views as attachment_views
from app.auth import deps as auth_deps
from app.comments import threads as comment_threads
from app.config import Settings
from app.dates import feeds as date_feeds
from app.dates import views as date_views
from app.export import subscribers as export_subscribers
from app.messages import service as messages
from app.messages import subscribers as message_subscribers
from app.notifications import service as notifications
from app.notifications import subscribers as notification_subscribers
from app.search import similar
from app.search import subscribers as search_subscribers
from app.vorhaben import provided as vorhaben_pages


def wire() -> None:
    """Subscribe every reaction and hand in what the pages show (idempotent). The search
    index hears of a comment before the notifications are made, as the comment service did
    it in one piece before."""
    search_subscribers.subscribe()
    notification_subscribers.subscribe()
    export_subscribers.subscribe()
    message_subscribers.subscribe()
    date_feeds.subscribe()
    auth_deps.count_in_header("unread_count", notifications.unread_count_column())
    auth_deps.count_in_header("unread_messages", messages.unread_count_column())
    _optional_storage()
    vorhaben_pages.provide(
        similar=similar.similar,
        similar_to=similar.similar_to,
        discussion=comment_threads.thread_context,
        page_parts=(
            vorhaben_pages.PagePart(attachment_views.page_column, attachment_views.page_values),
            vorhaben_pages.PagePart(date_views.page_column, date_views.page_values),
        ),
    )


def _optional_storage() -> None:
    """The S3 backend of the attachment storage, where boto3 is installed (allmende[s3]);
    boto3 itself (10 MB) is imported only by a process configured for S3."""
    if importlib.util.find_spec("boto3") is not None:
        attachment_storage.register("s3", _s3_storage)


def _s3_storage(settings: Settings) -> attachment_storage.Storage:
    from app.attachments import s3  # noqa: PLC0415 - optional: boto3 is an extra

    return s3.S3Storage.from_settings(settings)
