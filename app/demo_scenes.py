"""The demo's work in progress, so every area of `make run` has something to show: verified
mail domains, applications waiting (one with a question from the moderators), fields of
interest, published projects (and a withdrawn one) for the export layer, a submission
waiting for review, an open report, a partner platform.

Everything goes through the services a member or moderator would use, so audit log,
notifications and mails are what they would be. Idempotent: each scene checks that its
result is not there yet, so an older demo database gets the scenes on the next start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Identity
from app.comments import service as comments
from app.comments.models import Comment
from app.config import Settings
from app.core.clock import utcnow
from app.export import partners, review, withdrawal
from app.export import service as export_service
from app.export.models import Partner
from app.export.service import form_for
from app.membership import domains
from app.membership import service as membership
from app.membership.models import MunicipalityDomain
from app.membership.personas import DEV_ISSUER, account_for
from app.moderation import reports
from app.outbox.models import Channel, DeliveryState, OutboxMessage
from app.vorhaben.models import FieldOfAction, Interest, Vorhaben


def load(db: Session, settings: Settings, data: dict[str, Any]) -> list[str]:
    """Add every missing scene; returns what was added (for the console)."""
    moderator = account_for(db, "moderatorin")
    if moderator is None:
        return []
    titles = {seed["key"]: seed["title"] for seed in data["vorhaben"]}
    done: list[str] = []
    if _interests(db, data["interests"]):
        done.append("fields of interest")
    if _domains(db, moderator, data["domains"]):
        done.append("verified mail domains")
    if _applicants(db, settings, moderator, data["applicants"]):
        done.append("applications waiting")
    if _publications(db, settings, moderator, titles, data["publications"]):
        done.append("publications (export layer, review queue)")
    if _reports(db, settings, titles, data["reports"]):
        done.append("an open report")
    if _partners(db, data["partners"]):
        done.append("a partner platform")
    if done:
        _settle_outbox(db)
    return done


def _vorhaben(db: Session, titles: dict[str, str], key: str) -> Vorhaben | None:
    return db.scalars(select(Vorhaben).where(Vorhaben.title == titles.get(key, ""))).first()


def _interests(db: Session, interests: dict[str, list[str]]) -> bool:
    slugs = {row.slug: row.id for row in db.execute(select(FieldOfAction.slug, FieldOfAction.id))}
    added = False
    for key, chosen in interests.items():
        account = account_for(db, key)
        if account is None or db.scalar(select(Interest).where(Interest.account_id == account.id)):
            continue
        ids = [slugs[slug] for slug in chosen if slug in slugs]
        db.add_all(Interest(account_id=account.id, field_id=field_id) for field_id in ids)
        added = True
    db.flush()
    return added


def _domains(db: Session, moderator: Account, entries: list[list[str]]) -> bool:
    added = False
    for domain, ags in entries:
        if db.scalar(select(MunicipalityDomain).where(MunicipalityDomain.domain == domain)):
            continue
        domains.add(db, moderator, ags, domain)
        added = True
    return added


def _applicants(
    db: Session, settings: Settings, moderator: Account, applicants: list[dict[str, Any]]
) -> bool:
    added = False
    for entry in applicants:
        if account_for(db, entry["key"]) is not None:
            continue
        account = Account(
            display_name=entry["name"],
            email=entry["email"],
            email_verified=True,
            state=AccountState.PENDING,
        )
        db.add(account)
        db.flush()
        claims = {"name": entry["name"], "email": entry["email"], "email_verified": True}
        db.add(
            Identity(
                account_id=account.id,
                provider="dev",
                issuer=DEV_ISSUER,
                subject=entry["key"],
                email=entry["email"],
                email_verified=True,
                claims=claims,
                last_login_at=utcnow(),
            )
        )
        db.flush()
        application = membership.submit_application(
            db,
            settings,
            account,
            membership.ApplicationForm(
                municipality_ags=entry["municipality_ags"],
                position=entry["position"],
                reason=entry["reason"],
            ),
        )
        if entry.get("question"):
            membership.decide(
                db, settings, moderator, application.id, "request_info", entry["question"]
            )
        added = True
    return added


def _publications(
    db: Session,
    settings: Settings,
    moderator: Account,
    titles: dict[str, str],
    entries: list[dict[str, Any]],
) -> bool:
    added = False
    for entry in entries:
        vorhaben = _vorhaben(db, titles, entry["vorhaben"])
        owner = account_for(db, entry["by"])
        if vorhaben is None or owner is None:
            continue
        if export_service.of_vorhaben(db, vorhaben.id) is not None:
            continue
        form = form_for(db, export_service.editable_vorhaben(db, owner, vorhaben.id), None)
        form.contact_consent = bool(entry["consent"])
        publication = export_service.submit(db, settings, owner, vorhaben.id, form)
        if entry["state"] in {"published", "withdrawn"} and settings.publication_review:
            review.decide(db, settings, moderator, publication.id, "release", "")
        if entry["state"] == "withdrawn":
            withdrawal.withdraw_by_owner(db, settings, owner, vorhaben.id)
        added = True
    return added


def _reports(
    db: Session, settings: Settings, titles: dict[str, str], entries: list[dict[str, Any]]
) -> bool:
    added = False
    for entry in entries:
        vorhaben = _vorhaben(db, titles, entry["vorhaben"])
        author = account_for(db, entry["author"])
        if vorhaben is None or author is None:
            continue
        exists = db.scalar(
            select(Comment.id).where(
                Comment.vorhaben_id == vorhaben.id,
                Comment.body == entry["comment"],
            )
        )
        if exists is not None:
            continue
        comment = comments.post(db, settings, author, vorhaben.id, entry["comment"])
        for filed in entry["reports"]:
            reporter = account_for(db, filed["by"])
            if reporter is not None:
                reports.report(
                    db, settings, reporter, "comment", comment.id, filed["category"], filed["text"]
                )
        added = True
    return added


def _partners(db: Session, entries: list[dict[str, str]]) -> bool:
    added = False
    for entry in entries:
        if db.scalar(select(Partner.id).where(Partner.name == entry["name"])) is not None:
            continue
        partners.create(db, entry["name"], contact_email=entry["contact_email"])
        added = True
    return added


def _settle_outbox(db: Session) -> None:
    """The mails the demo's history caused count as sent: the demo's first start should
    not flood the console with a hundred mails about things that happened "months ago".
    They stay readable at /dev/mails; new ones are delivered and logged as they come."""
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == Channel.MAIL, OutboxMessage.state == DeliveryState.PENDING)
        .values(state=DeliveryState.DELIVERED, delivered_at=utcnow(), attempts=1)
    )
