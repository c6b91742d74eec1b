"""Cooperation signals ("interessiert uns", "machen wir auch", "möchten wir nachnutzen")
and following a Vorhaben."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import events
from app.accounts.models import Account
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import gettext as _
from app.municipalities.models import Municipality
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import Follow, Signal, SignalKind
from app.vorhaben.repository import CardPlace


@dataclass(frozen=True, slots=True)
class SignalView:
    """What the cooperation panel shows of a signal."""

    id: int
    kind: SignalKind
    municipality_id: int
    municipality: CardPlace
    acknowledged_at: dt.datetime | None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


def signals_of(db: Session, vorhaben_id: int) -> list[SignalView]:
    """The signals on a Vorhaben with the municipalities behind them (plain rows)."""
    rows = db.execute(
        select(
            Signal.id,
            Signal.kind,
            Signal.municipality_id,
            Signal.acknowledged_at,
            Municipality.ags,
            Municipality.name,
            Municipality.level,
            Municipality.kind_code,
        )
        .join(Municipality, Municipality.id == Signal.municipality_id)
        .where(Signal.vorhaben_id == vorhaben_id)
        .order_by(Signal.kind, Signal.created_at, Signal.id)
    )
    return [
        SignalView(
            row.id,
            row.kind,
            row.municipality_id,
            CardPlace(row.municipality_id, row.ags, row.name, None, row.level, row.kind_code),
            row.acknowledged_at,
        )
        for row in rows
    ]


def set_signal(
    db: Session,
    settings: Settings,
    account: Account,
    vorhaben_id: int,
    kind: str,
    *,
    on: bool,
) -> bool:
    """Give (or take back) the account's municipality's signal; True if something changed.
    The notifications react to SignalGiven (app.wiring)."""
    if kind not in {value.value for value in SignalKind}:
        raise ValidationFailed({"kind": _("Unbekanntes Signal.")})
    vorhaben = vorhaben_service.get(db, account, vorhaben_id)
    if account.municipality_id is None:
        raise Forbidden(_("Signale geben Mitglieder im Namen ihrer Kommune."))
    if account.municipality_id == vorhaben.municipality_id:
        raise Forbidden(_("Signale geben andere Kommunen – nicht die eigene."))
    if not on:
        result = db.execute(
            delete(Signal).where(
                Signal.vorhaben_id == vorhaben.id,
                Signal.municipality_id == account.municipality_id,
                Signal.kind == SignalKind(kind),
            )
        )
        return bool(getattr(result, "rowcount", 0))
    signal = Signal(
        vorhaben_id=vorhaben.id,
        municipality_id=account.municipality_id,
        account_id=account.id,
        kind=SignalKind(kind),
    )
    try:
        with db.begin_nested():
            db.add(signal)
    except IntegrityError:
        return False  # the municipality already gave this signal: one per municipality and kind
    vorhaben_service.touch(vorhaben)
    events.publish(db, events.SignalGiven(settings, signal.id, vorhaben.id, account.id))
    return True


def acknowledge(db: Session, member: Account, signal_id: int, *, seen: bool = True) -> Signal:
    """A member of the owning municipality marks a signal as seen (or open again)."""
    signal = db.get(Signal, signal_id)
    if signal is None:
        raise NotFound(_("Dieses Signal gibt es nicht mehr."))
    vorhaben = vorhaben_service.get(db, member, signal.vorhaben_id)
    if not vorhaben_service.can_edit(member, vorhaben):
        raise Forbidden(_("Signale bestätigen Mitglieder der Kommune, der das Vorhaben gehört."))
    if seen and signal.acknowledged_at is None:
        signal.acknowledged_at = utcnow()
        signal.acknowledged_by_id = member.id
    elif not seen:
        signal.acknowledged_at = None
        signal.acknowledged_by_id = None
    db.flush()
    return signal


def is_following(db: Session, account_id: int, vorhaben_id: int) -> bool:
    """Whether the account follows the Vorhaben."""
    return db.get(Follow, (account_id, vorhaben_id)) is not None


def set_follow(db: Session, account: Account, vorhaben_id: int, *, on: bool) -> None:
    """Follow or unfollow a visible Vorhaben."""
    vorhaben = vorhaben_service.get(db, account, vorhaben_id)
    existing = db.get(Follow, (account.id, vorhaben.id))
    if on and existing is None:
        db.add(Follow(account_id=account.id, vorhaben_id=vorhaben.id))
    elif not on and existing is not None:
        db.delete(existing)
    db.flush()
