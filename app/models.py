"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from app.audit import models as audit_models
from app.auth import models as auth_models
from app.membership import models as membership_models
from app.municipalities import models as municipalities_models
from app.outbox import models as outbox_models

__all__ = [
    "audit_models",
    "auth_models",
    "membership_models",
    "municipalities_models",
    "outbox_models",
]
