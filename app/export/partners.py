"""Partner platforms: API keys (shown once, stored hashed) and webhook endpoints."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.audit import service as audit
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.text import clean_line, forbidden_character
from app.export import urls, webhooks
from app.export.models import Partner, PartnerKey, WebhookEndpoint
from app.i18n import gettext as _
from app.outbox import mail
from app.outbox.models import Channel, DeliveryState, OutboxMessage

KEY_PREFIX = "alm_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: str  # the only time it is shown
    row: PartnerKey


def create(
    db: Session, name: str, *, contact_email: str | None = None, actor_id: int | None = None
) -> tuple[Partner, NewKey]:
    """Register a partner platform with a first API key."""
    text = clean_line(name)
    if reason := forbidden_character(name):  # its own reason, not the length's
        raise ValidationFailed({"name": reason})
    if not text or len(text) > 100:
        raise ValidationFailed({"name": _("Bitte einen Namen mit höchstens 100 Zeichen angeben.")})
    email = (contact_email or "").strip() or None
    if email is not None and ("@" not in email or len(email) > 320 or forbidden_character(email)):
        raise ValidationFailed({"contact_email": _("Bitte eine gültige E-Mail-Adresse angeben.")})
    partner = Partner(name=text, contact_email=email)
    try:
        with db.begin_nested():
            db.add(partner)
    except IntegrityError:
        raise ValidationFailed(
            {"name": _("Einen Partner „%(name)s“ gibt es schon.", name=text)}
        ) from None
    audit.record(
        db,
        "partner_created",
        actor_id=actor_id,
        object_type="partner",
        object_id=partner.id,
        name=text,
    )
    return partner, create_key(db, partner, actor_id=actor_id)


def create_key(db: Session, partner: Partner, *, actor_id: int | None = None) -> NewKey:
    """A new 256-bit key for a partner; only its hash is stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = PartnerKey(partner_id=partner.id, prefix=key[:12], key_hash=_hash(key))
    db.add(row)
    db.flush()
    audit.record(
        db,
        "partner_key_created",
        actor_id=actor_id,
        object_type="partner",
        object_id=partner.id,
        prefix=row.prefix,
    )
    return NewKey(key, row)


def by_name(db: Session, name: str) -> Partner:
    partner = db.scalars(select(Partner).where(Partner.name == clean_line(name))).one_or_none()
    if partner is None:
        raise NotFound(_("Einen Partner „%(name)s“ gibt es nicht.", name=name))
    return partner


def get(db: Session, partner_id: int) -> Partner:
    partner = db.get(Partner, partner_id)
    if partner is None:
        raise NotFound(_("Diesen Partner gibt es nicht."))
    return partner


def listing(db: Session) -> list[Partner]:
    return list(db.scalars(select(Partner).order_by(Partner.name)))


def keys_of(db: Session, partner_id: int) -> list[PartnerKey]:
    return list(
        db.scalars(
            select(PartnerKey)
            .where(PartnerKey.partner_id == partner_id)
            .order_by(PartnerKey.created_at.desc())
        )
    )


REVOKED_REASON = "Partner gesperrt."


def revoke(
    db: Session, partner: Partner, *, key_id: int | None = None, actor_id: int | None = None
) -> int:
    """Revoke one key, or the partner (`allmende partners revoke`): every key, and its
    webhooks stop: endpoints switched off, waiting deliveries given up. Returns how many
    keys were revoked."""
    statement = update(PartnerKey).where(
        PartnerKey.partner_id == partner.id, PartnerKey.revoked_at.is_(None)
    )
    if key_id is not None:
        statement = statement.where(PartnerKey.id == key_id)
    result = db.execute(statement.values(revoked_at=utcnow()))
    revoked = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        db,
        "partner_key_revoked",
        actor_id=actor_id,
        object_type="partner",
        object_id=partner.id,
        key_id=key_id,
        revoked=revoked,
    )
    if key_id is None:
        _stop_webhooks(db, partner, revoked, actor_id=actor_id)
    return revoked


def _stop_webhooks(db: Session, partner: Partner, keys: int, *, actor_id: int | None) -> None:
    """Switch off every endpoint of a revoked partner and give up what waits for them: a
    leaked key must not keep project data flowing to wherever its webhooks point."""
    now = utcnow()
    endpoints = list(
        db.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.partner_id == partner.id)
            .with_for_update()
        )
    )
    for target in endpoints:
        if target.active:
            target.active = False
            target.disabled_reason = REVOKED_REASON
            target.disabled_at = now
    given_up = 0
    if endpoints:
        result = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == Channel.WEBHOOK,
                OutboxMessage.webhook_endpoint_id.in_([target.id for target in endpoints]),
                OutboxMessage.state == DeliveryState.PENDING,
            )
            .values(
                state=DeliveryState.FAILED,
                last_error="given up: the partner was revoked",
                leased_until=None,
                next_attempt_at=now,
            )
        )
        given_up = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        db,
        "partner_revoked",
        actor_id=actor_id,
        object_type="partner",
        object_id=partner.id,
        keys=keys,
        endpoints_disabled=[target.id for target in endpoints],
        deliveries_given_up=given_up,
    )
    db.flush()


def authenticate(db: Session, key: str) -> PartnerKey | None:
    """The live key behind a bearer token (records its last use), else None."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = db.scalars(
        select(PartnerKey)
        .where(PartnerKey.key_hash == _hash(key))
        .options(joinedload(PartnerKey.partner))
    ).one_or_none()
    if row is None or row.revoked_at is not None or not row.partner.active:
        return None
    return row


KEY_USE_PRECISION = dt.timedelta(minutes=1)


def touch_key(key: PartnerKey) -> None:
    """Record the key's last use, at most once a minute (no write on most requests)."""
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= KEY_USE_PRECISION:
        key.last_used_at = now


# -- webhook endpoints ---------------------------------------------------------------------------


def add_webhook(
    db: Session, settings: Settings, partner: Partner, url: str, *, actor_id: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its new secret (shown once)."""
    address = url.strip()
    if len(address) > 2000 or forbidden_character(address):
        raise ValidationFailed({"url": _("Die Adresse ist zu lang oder enthält Steuerzeichen.")})
    try:
        webhooks.check_url(address, settings)
    except webhooks.UnsafeTarget as refused:
        raise ValidationFailed({"url": str(refused)}) from None
    secret = webhooks.new_secret()
    endpoint = WebhookEndpoint(partner_id=partner.id, url=address, secret=secret)
    db.add(endpoint)
    db.flush()
    audit.record(
        db,
        "webhook_added",
        actor_id=actor_id,
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        partner=partner.name,
        url=urls.shown_url(address),
    )
    return endpoint, secret


def endpoint(db: Session, endpoint_id: int) -> WebhookEndpoint:
    found = db.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .options(joinedload(WebhookEndpoint.partner))
    ).one_or_none()
    if found is None:
        raise NotFound(_("Diesen Webhook gibt es nicht."))
    return found


def endpoints_of(db: Session, partner_id: int) -> list[WebhookEndpoint]:
    return list(
        db.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.partner_id == partner_id)
            .order_by(WebhookEndpoint.id)
        )
    )


def rotate_secret(db: Session, target: WebhookEndpoint, *, actor_id: int | None = None) -> str:
    """A new secret; the old one keeps signing for 24 hours (both signatures are sent)."""
    target.previous_secret = target.secret
    target.previous_secret_until = utcnow() + webhooks.ROTATION_OVERLAP
    target.secret = webhooks.new_secret()
    audit.record(
        db,
        "webhook_secret_rotated",
        actor_id=actor_id,
        object_type="webhook_endpoint",
        object_id=target.id,
    )
    db.flush()
    return target.secret


def set_active(
    db: Session, target: WebhookEndpoint, active: bool, *, actor_id: int | None = None
) -> None:
    """Switch an endpoint on again (after a partner fixed it) or off."""
    target.active = active
    target.disabled_reason = None if active else "Von der Verwaltung abgeschaltet."
    target.disabled_at = None if active else utcnow()
    target.failing_since = None
    audit.record(
        db,
        "webhook_enabled" if active else "webhook_disabled",
        actor_id=actor_id,
        object_type="webhook_endpoint",
        object_id=target.id,
    )
    db.flush()


def disable_endpoint(db: Session, settings: Settings, target: WebhookEndpoint, reason: str) -> None:
    """Switch off an endpoint that keeps failing (or answered 410) and tell the partner."""
    target.active = False
    target.disabled_reason = reason
    target.disabled_at = utcnow()
    audit.record(
        db,
        "webhook_disabled",
        actor_id=None,
        object_type="webhook_endpoint",
        object_id=target.id,
        reason=reason,
    )
    partner = db.get(Partner, target.partner_id)
    if partner is not None and partner.contact_email:
        mail.send(
            db,
            settings,
            to=partner.contact_email,
            name="webhook_disabled",
            context={"partner": partner, "endpoint": target, "reason": reason},
        )


def deliveries(db: Session, endpoint_id: int, *, limit: int = 100) -> list[OutboxMessage]:
    """The latest deliveries of an endpoint, newest first."""
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == Channel.WEBHOOK,
                OutboxMessage.webhook_endpoint_id == endpoint_id,
            )
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def redeliver(
    db: Session, endpoint_id: int, message_id: int, *, actor_id: int | None = None
) -> None:
    """Queue a delivery again now (same webhook-id, so the partner can de-duplicate)."""
    row = db.get(OutboxMessage, message_id)
    if row is None or row.webhook_endpoint_id != endpoint_id:
        raise NotFound(_("Diese Zustellung gibt es nicht."))
    row.state = DeliveryState.PENDING
    row.next_attempt_at = utcnow()
    row.leased_until = None
    audit.record(
        db,
        "webhook_redelivered",
        actor_id=actor_id,
        object_type="webhook_endpoint",
        object_id=endpoint_id,
        message=row.message_key,
    )
    db.flush()
