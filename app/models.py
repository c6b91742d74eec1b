"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from app.accounts import models as accounts_models
from app.attachments import models as attachments_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.circles import models as circles_models
from app.comments import models as comments_models
from app.dates import models as dates_models
from app.export import models as export_models
from app.membership import models as membership_models
from app.messages import models as messages_models
from app.moderation import models as moderation_models
from app.municipalities import models as municipalities_models
from app.notifications import models as notifications_models
from app.outbox import models as outbox_models
from app.search import models as search_models
from app.vorhaben import co_editors as vorhaben_co_editor_models
from app.vorhaben import models as vorhaben_models
from app.web import ratelimit as ratelimit_models

__all__ = [
    "accounts_models",
    "attachments_models",
    "audit_models",
    "auth_models",
    "circles_models",
    "comments_models",
    "dates_models",
    "export_models",
    "membership_models",
    "messages_models",
    "moderation_models",
    "municipalities_models",
    "notifications_models",
    "outbox_models",
    "ratelimit_models",
    "search_models",
    "vorhaben_co_editor_models",
    "vorhaben_models",
]
