"""Verified mail domains per municipality, maintained by moderators."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.audit import service as audit
from app.core.errors import NotFound, ValidationFailed
from app.i18n import gettext as _
from app.membership.models import Account, MunicipalityDomain
from app.municipalities import service as municipalities

_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalize_domain(value: str) -> str:
    """Lower case, no leading @ or dot, IDNA (Umlaut domains as xn--)."""
    cleaned = value.strip().lower().lstrip("@").strip(".")
    try:
        return cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        return cleaned


def listing(db: Session) -> list[MunicipalityDomain]:
    """All verified domains with their municipality."""
    return list(
        db.scalars(
            select(MunicipalityDomain)
            .options(joinedload(MunicipalityDomain.municipality))
            .order_by(MunicipalityDomain.domain)
        )
    )


def add(db: Session, actor: Account, municipality_ags: str, domain: str) -> MunicipalityDomain:
    """Verify a domain for a municipality (audited)."""
    errors: dict[str, str] = {}
    name = normalize_domain(domain)
    if not _DOMAIN.match(name):
        errors["domain"] = _("Bitte geben Sie eine Domain wie „leipzig.de“ an.")
    municipality = (
        municipalities.get_by_ags(db, municipality_ags) if municipality_ags.strip() else None
    )
    if municipality is None:
        errors["municipality_ags"] = _("Bitte wählen Sie eine Kommune aus dem Verzeichnis.")
    if errors or municipality is None:
        raise ValidationFailed(errors)
    entry = MunicipalityDomain(municipality_id=municipality.id, domain=name, created_by_id=actor.id)
    try:
        with db.begin_nested():
            db.add(entry)
    except IntegrityError:
        raise ValidationFailed(
            {"domain": _("Diese Domain ist schon einer Kommune zugeordnet.")}
        ) from None
    audit.record(
        db,
        "domain_verified",
        actor_id=actor.id,
        object_type="municipality",
        object_id=municipality.ags,
        domain=name,
    )
    return entry


def remove(db: Session, actor: Account, domain_id: int) -> None:
    """Withdraw a domain verification (audited)."""
    entry = db.get(MunicipalityDomain, domain_id)
    if entry is None:
        raise NotFound(_("Diese Domain ist nicht (mehr) eingetragen."))
    audit.record(
        db,
        "domain_removed",
        actor_id=actor.id,
        object_type="municipality",
        object_id=str(entry.municipality_id),
        domain=entry.domain,
    )
    db.delete(entry)
    db.flush()
