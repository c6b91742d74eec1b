"""Cooperation signals ("interessiert uns", "machen wir auch", "möchten wir nachnutzen")
and following a Vorhaben."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Integer, Select, bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app import events
from app.accounts.models import Account, shown_name
from app.config import Settings
from app.core.clock import utcnow
from app.core.errors import Forbidden, NotFound, ValidationFailed
from app.core.text import forbidden_character, normalize, too_long
from app.i18n import gettext as _
from app.municipalities.models import Municipality
from app.vorhaben import service as vorhaben_service
from app.vorhaben.models import SIGNAL_LABELS, Follow, Signal, SignalKind, Vorhaben
from app.vorhaben.repository import CardPlace
from app.vorhaben.visibility import ReaderColumns, visible_clause

NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class SignalView:
    """What the cooperation panel shows of a signal. The note, the linked Vorhaben and the
    answer only for the owning municipality and the signalling one (the conversation is
    theirs); the linked Vorhaben only if the reader may see it."""

    id: int
    kind: SignalKind
    municipality_id: int
    municipality: CardPlace
    acknowledged_at: dt.datetime | None
    note: str = ""
    signaller: str = ""
    linked: tuple[int, str] | None = None
    reply: str = ""
    replied_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


def _signals_statement() -> Select[*tuple[Any, ...]]:
    """The signals on the Vorhaben `:vorhaben_id` as plain rows, with the title of the
    Vorhaben each names if the reader (`:reader_id` of `:reader_municipality_id`) may see
    it. Built once, the values bound: composing it per page cost more than running it."""
    reader = ReaderColumns(
        bindparam("reader_id", type_=Integer), bindparam("reader_municipality_id", type_=Integer)
    )
    signaller = aliased(Account, name="signaller")
    signalled = aliased(Vorhaben, name="signalled")
    linked_title = (
        select(Vorhaben.title)
        .where(Vorhaben.id == Signal.linked_vorhaben_id, visible_clause(reader))
        .correlate_except(Vorhaben)
        .scalar_subquery()
    )
    return (
        select(
            Signal.id,
            Signal.kind,
            Signal.municipality_id,
            Signal.acknowledged_at,
            Signal.note,
            Signal.linked_vorhaben_id,
            Signal.reply,
            Signal.replied_at,
            signalled.municipality_id.label("owner"),
            Municipality.ags,
            Municipality.name,
            Municipality.level,
            Municipality.kind_code,
            signaller.display_name,
            signaller.state,
            linked_title.label("linked_title"),
        )
        .join(Municipality, Municipality.id == Signal.municipality_id)
        .join(signalled, signalled.id == Signal.vorhaben_id)
        .outerjoin(signaller, signaller.id == Signal.account_id)
        .where(Signal.vorhaben_id == bindparam("vorhaben_id", type_=Integer))
        .order_by(Signal.kind, Signal.created_at, Signal.id)
    )


_SIGNALS = _signals_statement()


def signals_of(db: Session, vorhaben_id: int, reader: Account | None = None) -> list[SignalView]:
    """The signals on a Vorhaben with the municipalities behind them (plain rows, one
    statement); with a reader, the notes that reader may read."""
    bound = {
        "vorhaben_id": vorhaben_id,
        "reader_id": reader.id if reader is not None else None,
        "reader_municipality_id": reader.municipality_id if reader is not None else None,
    }
    views = []
    for row in db.execute(_SIGNALS, bound):
        place = CardPlace(row.municipality_id, row.ags, row.name, None, row.level, row.kind_code)
        party = (
            reader is not None
            and reader.is_member
            and reader.municipality_id in (row.owner, row.municipality_id)
        )
        linked = row.linked_vorhaben_id
        views.append(
            SignalView(
                row.id,
                row.kind,
                row.municipality_id,
                place,
                row.acknowledged_at,
                note=(row.note or "") if party else "",
                signaller=shown_name(row.display_name, row.state) if party else "",
                # The title only where the reader may see that Vorhaben (the statement's).
                linked=(linked, row.linked_title)
                if party and linked is not None and row.linked_title is not None
                else None,
                reply=(row.reply or "") if party else "",
                replied_at=row.replied_at if party else None,
            )
        )
    return views


def own_vorhaben(db: Session, account: Account) -> list[tuple[int, str]]:
    """The Vorhaben of the account's municipality it may see: what a signal can point to."""
    if account.municipality_id is None:
        return []
    rows = db.execute(
        select(Vorhaben.id, Vorhaben.title)
        .where(visible_clause(account), Vorhaben.municipality_id == account.municipality_id)
        .order_by(Vorhaben.title, Vorhaben.id)
        .limit(200)
    )
    return [(key, title) for key, title in rows]


class Paneled(vorhaben_service.Owned, Protocol):
    """A Vorhaben as the panel reads it (the ORM object or the page's rows)."""

    @property
    def id(self) -> int: ...


def panel(
    db: Session, member: Account, vorhaben: Paneled, *, choices: bool = False
) -> dict[str, Any]:
    """What the cooperation panel shows this member (the page and the htmx fragment). The
    member's own Vorhaben a signal can name are read when the form opens (signal_form()),
    or with `choices` (the form shown again with an error); None until then."""
    signals = signals_of(db, vorhaben.id, member)
    can_signal = member.municipality_id not in (None, vorhaben.municipality_id)
    return {
        "signals": signals,
        "signal_kinds": list(SIGNAL_LABELS.items()),
        "own_signals": {
            signal.kind.value
            for signal in signals
            if signal.municipality_id == member.municipality_id
        },
        "can_signal": can_signal,
        "can_acknowledge": vorhaben_service.can_edit(member, vorhaben),
        "own_vorhaben": own_vorhaben(db, member) if can_signal and choices else None,
        "signal_typed": {},
        "signal_errors": {},
    }


def signal_form(db: Session, member: Account, vorhaben_id: int, kind: str) -> dict[str, Any]:
    """The form of one signal with the member's own Vorhaben it can name (what the panel
    reads only when the form opens)."""
    if kind not in {value.value for value in SignalKind}:
        raise NotFound(_("Unbekanntes Signal."))
    vorhaben = vorhaben_service.get(db, member, vorhaben_id)
    if member.municipality_id in (None, vorhaben.municipality_id):
        raise Forbidden(_("Signale geben Mitglieder anderer Kommunen."))
    return {
        "vorhaben": vorhaben,
        "kind": SignalKind(kind),
        "label": SIGNAL_LABELS[SignalKind(kind)],
        "own_vorhaben": own_vorhaben(db, member),
        "signal_typed": {},
        "signal_errors": {},
    }


def _clean_note(note: str, field: str = "note") -> str | None:
    text = normalize(note).strip()
    if len(text) > NOTE_MAX:
        raise ValidationFailed({field: too_long(NOTE_MAX, len(text))})
    if reason := forbidden_character(text):
        raise ValidationFailed({field: reason})
    return text or None


def _linked(db: Session, account: Account, linked_id: int | None) -> int | None:
    if linked_id is None:
        return None
    if linked_id not in {key for key, _title in own_vorhaben(db, account)}:
        raise ValidationFailed({"linked": _("Wählen Sie ein Vorhaben Ihrer Kommune.")})
    return linked_id


def set_signal(
    db: Session,
    settings: Settings,
    account: Account,
    vorhaben_id: int,
    kind: str,
    *,
    on: bool,
    note: str = "",
    linked_id: int | None = None,
) -> bool:
    """Give (or take back) the account's municipality's signal, with a short note and one
    of its own Vorhaben if given; True if something changed. The notifications react to
    SignalGiven (app.wiring)."""
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
        note=_clean_note(note),
        linked_vorhaben_id=_linked(db, account, linked_id),
    )
    try:
        with db.begin_nested():
            db.add(signal)
    except IntegrityError:
        return False  # the municipality already gave this signal: one per municipality and kind
    vorhaben_service.touch(vorhaben)
    events.publish(db, events.SignalGiven(settings, signal.id, vorhaben.id, account.id))
    return True


def signal_vorhaben(db: Session, signal_id: int) -> int:
    """The Vorhaben a signal is about (404 when the signal is gone)."""
    signal = db.get(Signal, signal_id)
    if signal is None:
        raise NotFound(_("Dieses Signal gibt es nicht mehr."))
    return signal.vorhaben_id


def answer(db: Session, settings: Settings, member: Account, signal_id: int, text: str) -> Signal:
    """The owning municipality answers a signal's note (or rewords its answer); the member
    who gave the signal hears of it (SignalAnswered)."""
    signal = db.get(Signal, signal_id)
    if signal is None:
        raise NotFound(_("Dieses Signal gibt es nicht mehr."))
    vorhaben = vorhaben_service.get(db, member, signal.vorhaben_id)
    if not vorhaben_service.can_edit(member, vorhaben):
        raise Forbidden(_("Antworten können Mitglieder der Kommune, der das Vorhaben gehört."))
    reply = _clean_note(text, "reply")
    if reply is None:
        raise ValidationFailed({"reply": _("Bitte schreiben Sie eine Antwort.")})
    signal.reply = reply
    signal.replied_at = utcnow()
    signal.replied_by_id = member.id
    db.flush()
    events.publish(db, events.SignalAnswered(settings, signal.id, vorhaben.id, member.id))
    return signal


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
