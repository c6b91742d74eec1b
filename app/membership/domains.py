"""Verified mail domains per municipality, maintained by moderators."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.i18n import gettext as _
from app.membership.models import Application, MunicipalityDomain
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality

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
    # Keyed by the Gemeindeschlüssel like domain_verified, so the log names the place.
    ags = db.scalar(select(Municipality.ags).where(Municipality.id == entry.municipality_id))
    audit.record(
        db,
        "domain_removed",
        actor_id=actor.id,
        object_type="municipality",
        object_id=ags or str(entry.municipality_id),
        domain=entry.domain,
    )
    db.delete(entry)
    db.flush()


def owner_of(db: Session, domain: str | None) -> Municipality | None:
    """The municipality a moderator verified this domain for, if any."""
    if not domain:
        return None
    return db.scalars(
        select(Municipality)
        .join(MunicipalityDomain, MunicipalityDomain.municipality_id == Municipality.id)
        .where(MunicipalityDomain.domain == normalize_domain(domain))
    ).one_or_none()


def members_with_domain(db: Session, municipality_id: int, domain: str | None) -> list[Account]:
    """Approved members of a municipality whose mail address is at this domain."""
    if not domain:
        return []
    suffix = "@" + normalize_domain(domain)
    return list(
        db.scalars(
            select(Account)
            .where(
                Account.municipality_id == municipality_id,
                Account.state == AccountState.APPROVED,
                func.lower(Account.email).endswith(suffix, autoescape=True),
            )
            .order_by(Account.display_name)
        )
    )


def confirm_for_application(
    db: Session, moderator: Account, application_id: int
) -> MunicipalityDomain:
    """Verify the mail domain of an application for its municipality (one click on the
    application page; audited like any verification)."""
    application = db.get(Application, application_id)
    if application is None:
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    if not application.email_domain:
        raise Conflict(_("Dieser Antrag nennt keine E-Mail-Domain."))
    owner = owner_of(db, application.email_domain)
    if owner is not None:
        raise Conflict(
            _(
                "Die Domain %(domain)s ist bereits für %(place)s bestätigt.",
                domain=application.email_domain,
                place=owner.display_name,
            )
        )
    ags = db.scalar(select(Municipality.ags).where(Municipality.id == application.municipality_id))
    try:
        return add(db, moderator, ags or "", application.email_domain)
    except ValidationFailed as error:
        raise Conflict(" ".join(error.errors.values())) from None
