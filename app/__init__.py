"""Allmende: the closed exchange for municipal digitalisation."""

# Route paths use the `{name:id}` convertor; it must be registered before any router is
# built, so the package registers it on import.
from app.core import ids as _ids  # noqa: F401
