"""Development personas: seeded accounts for every role (and an open application), used by the
development sign-in (membership.dev_routes) and the demo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import (
    ACCOUNT_STATE_LABELS,
    ROLE_LABELS,
    Account,
    AccountState,
    Identity,
    Role,
)
from app.core.clock import utcnow
from app.i18n import N_
from app.membership.models import (
    Application,
    ApplicationEvent,
    ApplicationEventKind,
    ApplicationState,
)
from app.municipalities import service as municipalities
from app.municipalities.models import Municipality

DEV_ISSUER = "urn:allmende:dev"


@dataclass(frozen=True)
class Persona:
    key: str
    name: str
    email: str
    role: Role
    state: AccountState
    municipality_ags: str | None
    position: str | None
    description: str


PERSONAS = (
    Persona(
        "moderatorin",
        "Mara Moser",
        "mara.moser@kommunal-verband.example",
        Role.MODERATOR,
        AccountState.APPROVED,
        None,
        "Moderation",
        N_("Moderatorin des Verbands: prüft Anträge, Veröffentlichungen und Meldungen"),
    ),
    Persona(
        "admin",
        "Anton Albers",
        "anton.albers@kommunal-verband.example",
        Role.ADMIN,
        AccountState.APPROVED,
        None,
        "Administration",
        N_("Administrator: Rollen, Partner, Webhooks"),
    ),
    Persona(
        "leipzig",
        "Lena Lindner",
        "lena.lindner@leipzig.de",
        Role.MEMBER,
        AccountState.APPROVED,
        "14713000",
        "Chief Digital Officer",
        N_("Mitglied der Stadt Leipzig"),
    ),
    Persona(
        "muenchen",
        "Max Maier",
        "max.maier@muenchen.de",
        Role.MEMBER,
        AccountState.APPROVED,
        "09162000",
        "Digitalisierungsbeauftragter",
        N_("Mitglied der Landeshauptstadt München"),
    ),
    Persona(
        "antrag",
        "Paula Peters",
        "paula.peters@stadt-koeln.de",
        Role.MEMBER,
        AccountState.PENDING,
        "05315000",
        "Projektleitung Digitale Verwaltung",
        N_("Antragstellerin aus Köln, noch nicht freigeschaltet"),
    ),
)


def persona(key: str) -> Persona | None:
    return next((candidate for candidate in PERSONAS if candidate.key == key), None)


def seed_personas(db: Session) -> list[Account]:
    """Create the persona accounts once (idempotent); returns them in PERSONAS order."""
    accounts: list[Account] = []
    now = utcnow()
    for entry in PERSONAS:
        identity = db.scalars(
            select(Identity)
            .where(Identity.issuer == DEV_ISSUER, Identity.subject == entry.key)
            .options(joinedload(Identity.account))
        ).one_or_none()
        if identity is not None:
            accounts.append(identity.account)
            continue
        municipality = (
            municipalities.get_by_ags(db, entry.municipality_ags)
            if entry.municipality_ags
            else None
        )
        account = Account(
            display_name=entry.name,
            email=entry.email,
            email_verified=True,
            role=entry.role,
            state=entry.state,
            position=entry.position,
            municipality_id=municipality.id if municipality else None,
            approved_at=now if entry.state is AccountState.APPROVED else None,
        )
        db.add(account)
        db.flush()
        db.add(
            Identity(
                account_id=account.id,
                provider="dev",
                issuer=DEV_ISSUER,
                subject=entry.key,
                email=entry.email,
                email_verified=True,
                claims={"name": entry.name, "email": entry.email, "email_verified": True},
            )
        )
        if entry.state is AccountState.PENDING and municipality is not None:
            application = Application(
                account_id=account.id,
                municipality_id=municipality.id,
                position=entry.position or "",
                reason="Wir starten gerade mit der Digitalisierungsstrategie und möchten "
                "von anderen Kommunen lernen.",
                state=ApplicationState.SUBMITTED,
                email_domain=entry.email.split("@")[1],
                claims={"email": entry.email, "email_verified": True, "name": entry.name},
            )
            db.add(application)
            db.flush()
            db.add(
                ApplicationEvent(
                    application_id=application.id,
                    actor_id=account.id,
                    kind=ApplicationEventKind.SUBMITTED,
                    message=application.reason,
                )
            )
        accounts.append(account)
    db.flush()
    return accounts


def account_for(db: Session, key: str) -> Account | None:
    """The persona's account, if seeded."""
    return db.scalars(
        select(Account)
        .join(Identity, Identity.account_id == Account.id)
        .where(Identity.issuer == DEV_ISSUER, Identity.subject == key)
    ).one_or_none()


@dataclass(frozen=True)
class PersonaEntry:
    key: str
    name: str
    description: str
    standing: str = ""  # the role of a member, else the state of the account (untranslated)
    municipality: str = ""


def listing(db: Session) -> list[PersonaEntry]:
    """Every development persona that exists (the five roles first, then demo members)."""
    described = {entry.key: entry.description for entry in PERSONAS}
    rows = db.execute(
        select(
            Identity.subject,
            Account.display_name,
            Account.position,
            Account.state,
            Account.role,
            Municipality.name.label("municipality"),
        )
        .join(Account, Account.id == Identity.account_id)
        .outerjoin(Municipality, Municipality.id == Account.municipality_id)
        .where(Identity.issuer == DEV_ISSUER)
        .order_by(Account.id)
    )
    entries = [
        PersonaEntry(
            row.subject,
            row.display_name,
            described.get(row.subject) or f"{row.position or ''}",
            ROLE_LABELS[row.role]
            if row.state is AccountState.APPROVED
            else ACCOUNT_STATE_LABELS[row.state],
            row.municipality or "",
        )
        for row in rows
        if row.state is not AccountState.ERASED
    ]
    if not entries:
        entries = [PersonaEntry(entry.key, entry.name, entry.description) for entry in PERSONAS]
    order = {entry.key: index for index, entry in enumerate(PERSONAS)}
    return sorted(entries, key=lambda entry: order.get(entry.key, len(order)))
