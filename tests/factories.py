"""Factories for test objects; each returns a flushed object with an id."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Identity, Role
from app.auth import sessions
from app.circles.models import Circle, CircleKind, CircleMembership, CircleRole, MembershipState
from app.comments import service as comment_service
from app.comments.models import Comment
from app.config import Settings, load_settings
from app.core import markdown
from app.core.clock import utcnow
from app.core.errors import ValidationFailed
from app.core.text import fold_words
from app.membership.models import Application, ApplicationEvent, ApplicationEventKind
from app.municipalities import organisations
from app.municipalities.models import (
    Gemeinde,
    Gemeindeverband,
    Kreis,
    Land,
    Level,
    Municipality,
    OrganisationType,
    Regierungsbezirk,
    Region,
)
from app.vorhaben import service as vorhaben_service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import FieldOfAction, Follow, Vorhaben
from app.web import csrf

__all__ = [
    "Account",
    "AccountState",
    "Circle",
    "Comment",
    "Follow",
    "Level",
    "Municipality",
    "Role",
    "ValidationFailed",
    "Vorhaben",
]

_keys = itertools.count(1)

KEY_LENGTHS = {
    Level.LAND: 2,
    Level.REGIERUNGSBEZIRK: 3,
    Level.REGION: 4,
    Level.KREIS: 5,
    Level.GEMEINDE: 8,
    Level.GEMEINDEVERBAND: 9,
}
MODEL_FOR_LEVEL: dict[Level, type[Municipality]] = {
    Level.LAND: Land,
    Level.REGIERUNGSBEZIRK: Regierungsbezirk,
    Level.REGION: Region,
    Level.KREIS: Kreis,
    Level.GEMEINDEVERBAND: Gemeindeverband,
    Level.GEMEINDE: Gemeinde,
}


def municipality(
    db: Session,
    name: str = "Musterstadt",
    *,
    level: Level = Level.GEMEINDE,
    land: Municipality | None = None,
    kreis: Municipality | None = None,
    ags: str | None = None,
    population: int | None = 12345,
    kind_code: int | None = 63,
) -> Municipality:
    """A registry entry; a Gemeinde gets a Land and Kreis of its own unless given."""
    if level is Level.GEMEINDE and land is None:
        land = municipality(db, "Testland", level=Level.LAND, kind_code=None)
    if level is Level.GEMEINDE and kreis is None:
        assert land is not None
        kreis = municipality(db, "Landkreis Test", level=Level.KREIS, land=land, kind_code=44)
    if ags is None:
        # Keys start with 9x, which no real Land has, and have each level's length.
        length = KEY_LENGTHS[level]
        ags = ("9" + str(next(_keys)).zfill(length))[-length:]
        ags = "9" + ags[1:]
    entry = MODEL_FOR_LEVEL[level](
        ags=ags,
        name=name,
        name_folded=fold_words(name),
        kind_code=kind_code,
        parent_id=parent.id if (parent := kreis or land) else None,
        land_id=land.id if land else None,
        kreis_id=kreis.id if kreis else None,
        population=population,
        gebietsstand=dt.date(2025, 11, 30),
        active=True,
    )
    db.add(entry)
    db.flush()
    if level is Level.LAND:
        entry.land_id = entry.id
    if level is Level.KREIS:
        entry.kreis_id = entry.id
    db.flush()
    return entry


def organisation(
    db: Session,
    name: str = "KGSt",
    *,
    kind: OrganisationType = OrganisationType.VERBAND,
    country: str = "DE",
    land: Municipality | None = None,
) -> Municipality:
    """An organisation beside the registry, created as a moderator creates one."""
    return organisations.create(
        db,
        None,
        organisations.OrganisationForm(
            name=name,
            kind=str(kind.value),
            country=country,
            land_id=str(land.id) if land else "",
        ),
    )


_people = itertools.count(1)


def account(
    db: Session,
    name: str | None = None,
    *,
    state: AccountState = AccountState.APPROVED,
    role: Role = Role.MEMBER,
    municipality: Municipality | None = None,
    email: str | None = None,
    issuer: str = "https://idp.test",
    subject: str | None = None,
    email_verified: bool = True,
) -> Account:
    """An account with one SSO identity; approved members get a municipality of their own."""
    serial = next(_people)
    if municipality is None and state is AccountState.APPROVED and role is Role.MEMBER:
        municipality = globals()["municipality"](db, f"Musterstadt {serial}")
    person = Account(
        display_name=name or f"Person {serial}",
        email=email or f"person{serial}@musterstadt.example",
        email_verified=email_verified,
        state=state,
        role=role,
        municipality_id=municipality.id if municipality else None,
        position="Digitalisierungsbeauftragte",
        approved_at=utcnow() if state is AccountState.APPROVED else None,
    )
    db.add(person)
    db.flush()
    db.add(
        Identity(
            account_id=person.id,
            provider="sso",
            issuer=issuer,
            subject=subject or f"subject-{serial}",
            email=person.email,
            email_verified=email_verified,
            claims={"email": person.email},
        )
    )
    db.flush()
    return person


def login(client: TestClient, db: Session, who: Account) -> str:
    """Give the test client a session cookie for `who`; returns the session token."""
    settings = client.app.state.settings  # type: ignore[attr-defined]
    new = sessions.create(db, settings, who, provider="sso", auth_time=utcnow())
    db.flush()
    client.cookies.set(csrf.session_cookie_name(settings), new.token)
    return new.token


def csrf_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page rendered for this client."""
    page = client.get(path)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def application(
    db: Session,
    applicant: Account,
    where: Municipality | None = None,
    *,
    position: str = "CDO",
    reason: str = "Wir wollen lernen.",
) -> Application:
    """An open application (state submitted) with its first event."""
    where = where or globals()["municipality"](db, "Antragsstadt")
    entry = Application(
        account_id=applicant.id,
        municipality_id=where.id,
        position=position,
        reason=reason,
        email_domain=applicant.mail_domain,
        claims={"email": applicant.email},
    )
    db.add(entry)
    db.flush()
    db.add(
        ApplicationEvent(
            application_id=entry.id,
            actor_id=applicant.id,
            kind=ApplicationEventKind.SUBMITTED,
            message=reason,
        )
    )
    applicant.municipality_id = where.id
    db.flush()
    return entry


def vorhaben(
    db: Session,
    author: Account,
    title: str = "Digitaler Bauantrag",
    *,
    summary: str = "",
    description: str = "",
    stage: str = "idee",
    visibility: str = "members",
    tags: str = "",
    fields: list[str] | None = None,
    looking_for_partners: bool = False,
    partners: list[str] | None = None,
    settings: Settings | None = None,
) -> Vorhaben:
    """A Vorhaben created through the service (so versions, index and follows exist)."""

    field_ids = []
    for slug in fields or []:
        found = db.scalars(select(FieldOfAction.id).where(FieldOfAction.slug == slug)).one()
        field_ids.append(str(found))
    form = VorhabenForm(
        title=title,
        summary=summary,
        description=description,
        stage=stage,
        visibility=visibility,
        tags=tags,
        fields_of_action=field_ids,
        looking_for_partners=looking_for_partners,
        partner_municipalities=partners or [],
    )
    return vorhaben_service.create(db, settings or load_settings(env="test"), author, form)


def circle(
    db: Session,
    name: str = "CDO-Netzwerk",
    *,
    moderators: list[Account] | None = None,
    members: list[Account] | None = None,
    listed: bool = True,
    kind: CircleKind = CircleKind.NETWORK,
    description: str = "",
) -> Circle:
    """A circle with active circle moderators and members (rows written directly: the
    service's workflow has tests of its own)."""
    entry = Circle(
        name=name,
        description=description,
        description_html=markdown.render(description),
        kind=kind,
        listed=listed,
    )
    db.add(entry)
    db.flush()
    for role, people in ((CircleRole.MODERATOR, moderators), (CircleRole.MEMBER, members)):
        for person in people or []:
            db.add(
                CircleMembership(
                    circle_id=entry.id,
                    account_id=person.id,
                    role=role,
                    state=MembershipState.ACTIVE,
                )
            )
    db.flush()
    return entry


def comment(
    db: Session,
    author: Account,
    on: Vorhaben,
    body: str = "Spannend!",
    parent: Comment | None = None,
) -> Comment:

    return comment_service.post(
        db, load_settings(env="test"), author, on.id, body, parent.id if parent else None
    )
