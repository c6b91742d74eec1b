"""Demo content for `make run`: extra member personas and realistic German Vorhaben with
comments and signals (app/demo_data/content.json), loaded through the services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Identity, MailMode
from app.circles import service as circles
from app.comments import service as comments
from app.config import Settings
from app.core.clock import utcnow
from app.membership.personas import DEV_ISSUER, account_for
from app.municipalities import service as municipalities
from app.vorhaben import service as vorhaben_service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import (
    FieldOfAction,
    Signal,
    SignalKind,
    StageChange,
    Vorhaben,
    VorhabenVersion,
)

CONTENT = Path(__file__).parent / "demo_data" / "content.json"


def content() -> dict[str, Any]:
    """The demo's personas, Vorhaben and scenes (app/demo_data/content.json)."""
    data: dict[str, Any] = json.loads(CONTENT.read_text(encoding="utf-8"))
    return data


def _seed_personas(db: Session, personas: list[dict[str, str]]) -> None:
    for persona in personas:
        if account_for(db, persona["key"]) is not None:
            continue
        municipality = municipalities.get_by_ags(db, persona["municipality_ags"])
        if municipality is None:
            continue
        account = Account(
            display_name=persona["name"],
            email=persona["email"],
            email_verified=True,
            state=AccountState.APPROVED,
            position=persona["position"],
            municipality_id=municipality.id,
            approved_at=utcnow(),
            mail_mode=MailMode.DIGEST,
        )
        db.add(account)
        db.flush()
        db.add(
            Identity(
                account_id=account.id,
                provider="dev",
                issuer=DEV_ISSUER,
                subject=persona["key"],
                email=persona["email"],
                email_verified=True,
                claims={"name": persona["name"], "email": persona["email"]},
            )
        )
    db.flush()


def load(db: Session, settings: Settings) -> int:
    """Create the demo Vorhaben once (skipped when any Vorhaben exists); returns how many."""
    if db.scalar(select(func.count()).select_from(Vorhaben)):
        return 0
    data = content()
    _seed_personas(db, data["personas"])
    slugs = {row.slug: row.id for row in db.execute(select(FieldOfAction.slug, FieldOfAction.id))}
    created = 0
    for seed in sorted(data["vorhaben"], key=lambda entry: -int(entry["days_ago"])):
        author = account_for(db, seed["author"])
        if author is None or author.municipality_id is None:
            continue
        form = VorhabenForm(
            title=seed["title"],
            summary=seed["summary"],
            description=seed["description"],
            stage=seed["stage"],
            visibility=seed["visibility"],
            tags=", ".join(seed["tags"]),
            fields_of_action=[
                str(slugs[slug]) for slug in seed["fields_of_action"] if slug in slugs
            ],
            looking_for_partners=seed["looking_for_partners"],
            uses_ai=seed["uses_ai"],
            open_source=bool(seed["open_source_license"] or seed["repository_url"]),
            license=seed["open_source_license"] or "",
            repository_url=seed["repository_url"] or "",
            website_url=seed["website_url"] or "",
            funding_programme=seed["funding_programme"] or "",
            start_date=seed["start_date"] or "",
            end_date=seed["end_date"] or "",
            lessons_learned=seed["lessons_learned"],
            partner_municipalities=[
                ags for ags in seed["partner_ags"] if municipalities.get_by_ags(db, ags) is not None
            ],
        )
        vorhaben = vorhaben_service.create(db, settings, author, form)
        _backdate(db, vorhaben, seed, settings)
        created += 1
    return created + _circles(db, settings)


CDO_NETWORK = (
    "Rund 40 kommunale CDOs aus dem DACH-Raum tauschen sich hier vertraulich aus: über "
    "Verhandlungen mit Anbietern, Personalfragen und Ideen, die noch nicht reif sind."
)
CONFIDENTIAL = {
    "title": "Vertraulich: Erfahrungen aus Verhandlungen mit großen Cloud-Anbietern",
    "summary": "Was wir bei Laufzeit, Exit-Klauseln und Datenstandort erreicht haben und "
    "wo wir nachgeben mussten. Nur für das CDO-Netzwerk.",
    "description": "## Stand\n\nDie Verhandlung läuft seit Frühjahr. Offene Punkte: "
    "**Exit-Klausel** und Preisbindung über fünf Jahre.\n\n- Wer hat ähnliche Verträge?\n"
    "- Wer teilt seine Vertragsmuster?",
}


def _circles(db: Session, settings: Settings) -> int:
    """The demo's circles: the unlisted CDO-Netzwerk (Deniz Aydın and Lena Lindner moderate
    it, Max Maier is invited) with a confidential Vorhaben, and the listed AG Open Data
    (Jena; Jonas Krüger asks to join). Through the services, so the audit log tells it."""
    staff = account_for(db, "moderatorin")
    koeln, leipzig, *others = (
        account_for(db, key) for key in ("koeln", "leipzig", "stuttgart", "kiel")
    )
    invitee, jena, asker = (account_for(db, key) for key in ("muenchen", "jena", "leipzig2"))
    if staff is None or koeln is None or leipzig is None:
        return 0
    network = circles.create(
        db,
        staff,
        circles.CircleForm(
            name="CDO-Netzwerk",
            description=CDO_NETWORK,
            kind="network",
            listed=False,
            moderators=[str(koeln.id), str(leipzig.id)],
        ),
    )
    for member in others:
        if member is not None:
            circles.invite(db, koeln, network, member.id)
            circles.accept_invitation(db, member, network)
    if invitee is not None:
        circles.invite(db, koeln, network, invitee.id)
    confidential = vorhaben_service.create(
        db,
        settings,
        koeln,
        VorhabenForm(
            title=CONFIDENTIAL["title"],
            summary=CONFIDENTIAL["summary"],
            description=CONFIDENTIAL["description"],
            stage="konzept",
            visibility=f"circle:{network.id}",
            tags="cloud",
        ),
    )
    comments.post(
        db,
        settings,
        leipzig,
        confidential.id,
        "Wir haben eine Exit-Klausel mit 18 Monaten Übergang durchgesetzt. Ich schicke das "
        "Muster gern im Kreis herum.",
    )
    if jena is not None:
        group = circles.create(
            db,
            staff,
            circles.CircleForm(
                name="AG Open Data",
                description="Arbeitsgruppe für offene Daten: Musterlizenzen, Portale, "
                "Schnittstellen.",
                kind="working_group",
                listed=True,
                moderators=[str(jena.id)],
            ),
        )
        if asker is not None:
            circles.request_to_join(db, asker, group)
    return 1


def _backdate(db: Session, vorhaben: Vorhaben, seed: dict[str, Any], settings: Settings) -> None:
    """Comments, replies and signals, spread over the time since the Vorhaben started."""
    started = utcnow() - dt.timedelta(days=int(seed["days_ago"]))
    moment = started
    step = dt.timedelta(days=max(1, int(seed["days_ago"]) // 8), hours=3)
    for entry in seed["comments"]:
        author = account_for(db, entry["author"])
        if author is None:
            continue
        comment = comments.post(db, settings, author, vorhaben.id, entry["body"])
        moment = min(moment + step, utcnow())
        comment.created_at = moment
        for reply in entry["replies"]:
            replier = account_for(db, reply["author"])
            if replier is None:
                continue
            answer = comments.post(db, settings, replier, vorhaben.id, reply["body"], comment.id)
            moment = min(moment + dt.timedelta(hours=5), utcnow())
            answer.created_at = moment
    for ags, kind in seed["signals"]:
        municipality = municipalities.get_by_ags(db, ags)
        if municipality is not None:
            db.add(
                Signal(
                    vorhaben_id=vorhaben.id,
                    municipality_id=municipality.id,
                    kind=SignalKind(kind),
                    created_at=min(moment, utcnow()),
                )
            )
    vorhaben.created_at = started
    vorhaben.updated_at = moment
    vorhaben.last_activity_at = moment
    for change in db.scalars(select(StageChange).where(StageChange.vorhaben_id == vorhaben.id)):
        change.created_at = started
    for version in db.scalars(
        select(VorhabenVersion).where(VorhabenVersion.vorhaben_id == vorhaben.id)
    ):
        version.created_at = started
    db.flush()
