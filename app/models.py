"""Every model module, imported once so the metadata (and Alembic) sees all tables."""

from app.municipalities import models as municipalities_models

__all__ = ["municipalities_models"]
