"""Which owners the export can name: a feed item names its municipality by AGS, Land and
registry level (CONTRACT.md, schemas.MunicipalityRef). An organisation beside the registry
(docs/organisations.md) has none of them, so its Vorhaben stay in the trust space until the
contract knows organisations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.i18n import gettext as _
from app.municipalities import organisations


def owner_outside_registry(db: Session, municipality_id: int) -> str | None:
    """Why a Vorhaben of this owner cannot go public (None for a registry entry)."""
    if not organisations.is_organisation(db, municipality_id):
        return None
    return _(
        "Vorhaben von Organisationen (Verbände, Landesministerien, Kommunen im Ausland) "
        "können noch nicht veröffentlicht werden: Partnerplattformen erhalten Vorhaben nur "
        "mit dem Gemeindeschlüssel einer deutschen Kommune."
    )
