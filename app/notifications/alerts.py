"""Alerts ("Benachrichtigungen abonnieren"): a member follows a field of action, a tag, a
municipality, a Land, a Kreis or a circle they belong to, and hears of new Vorhaben and
stage changes there
(app.notifications.alert_fanout makes the notifications).

An alert is (kind, key): the key names the followed thing as text, so one table and one
index serve every kind. A new kind (circles) is one more AlertKind member, one more branch
in `_checked_key` and `_labels`, and the keys a Vorhaben has of it in `keys_of`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.circles import repository as circles
from app.circles.models import Circle
from app.core.errors import NotFound
from app.core.text import fold
from app.i18n import N_
from app.i18n import gettext as _
from app.municipalities.models import Level, Municipality
from app.notifications.models import Alert, AlertKind
from app.vorhaben.models import FieldOfAction, Vorhaben, VorhabenField, VorhabenTag

KEY_LENGTH = 60


@dataclass(frozen=True)
class Shown:
    """One alert as the alerts page lists it."""

    kind: AlertKind
    key: str
    label: str


KIND_LABELS = {
    AlertKind.FIELD: N_("Handlungsfeld"),
    AlertKind.TAG: N_("Schlagwort"),
    AlertKind.MUNICIPALITY: N_("Kommune"),
    AlertKind.LAND: N_("Land"),
    AlertKind.KREIS: N_("Kreis"),
    AlertKind.CIRCLE: N_("Kreis von Mitgliedern"),
}
_PLACES = (AlertKind.MUNICIPALITY, AlertKind.LAND, AlertKind.KREIS)
_LEVELS = {AlertKind.LAND: (Level.LAND,), AlertKind.KREIS: (Level.KREIS,)}


def _unknown() -> NotFound:
    return NotFound(_("Dem können Sie nicht folgen."))


def parse_kind(value: str) -> AlertKind:
    try:
        return AlertKind(value)
    except ValueError:
        raise _unknown() from None


def _id(key: str) -> int | None:
    return int(key) if key.isascii() and key.isdigit() and len(key) < 10 else None


def _field(db: Session, key: str) -> FieldOfAction | None:
    """A field by id or by slug (the list filter names it by slug)."""
    if (number := _id(key)) is not None:
        return db.get(FieldOfAction, number)
    return db.scalar(select(FieldOfAction).where(FieldOfAction.slug == key[:60]))


def field_choices(db: Session) -> list[tuple[str, str]]:
    """The active fields of action as (key, label), for the alerts page's form."""
    return [
        (str(field.id), field.label)
        for field in db.scalars(
            select(FieldOfAction).where(FieldOfAction.active).order_by(FieldOfAction.position)
        )
    ]


def _checked_key(db: Session, account: Account, kind: AlertKind, key: str) -> str:
    """The key as stored, or 404 when it names nothing one can follow (a circle: only one
    the account actively belongs to)."""
    key = key.strip()
    if kind is AlertKind.CIRCLE:
        number = _id(key)
        if number is not None and number in circles.active_circle_ids(db, account.id):
            return str(number)
    elif kind is AlertKind.TAG:
        folded = fold(key.lstrip("#").strip())[:KEY_LENGTH]
        if folded:
            return folded
    elif kind is AlertKind.FIELD:
        field = _field(db, key)
        if field is not None and field.active:
            return str(field.id)
    else:
        number = _id(key)
        place = db.get(Municipality, number) if number is not None else None
        if place is not None and place.level in _LEVELS.get(kind, (place.level,)):
            return str(place.id)
    raise _unknown()


def follow(db: Session, account: Account, kind: AlertKind, key: str) -> Alert:
    """Follow it (again: nothing changes)."""
    key = _checked_key(db, account, kind, key)
    alert = db.get(Alert, (account.id, kind, key))
    if alert is None:
        alert = Alert(account_id=account.id, kind=kind, key=key)
        db.add(alert)
        db.flush()
    return alert


def is_following(db: Session, account: Account, kind: AlertKind, key: str) -> bool:
    """Whether the account follows it."""
    return db.get(Alert, (account.id, kind, key)) is not None


def unfollow(db: Session, account: Account, kind: AlertKind, key: str) -> None:
    """Stop following it (not following it already: nothing changes)."""
    db.execute(
        delete(Alert).where(
            Alert.account_id == account.id, Alert.kind == kind, Alert.key == key.strip()
        )
    )


def alerts_of(db: Session, account: Account) -> list[Shown]:
    """The member's alerts, by kind, each with what it follows by name."""
    rows = db.scalars(select(Alert).where(Alert.account_id == account.id)).all()
    by_kind: dict[AlertKind, list[str]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row.key)
    labels = _labels(db, account, by_kind)
    shown = [Shown(row.kind, row.key, labels.get((row.kind, row.key), row.key)) for row in rows]
    order = list(AlertKind)
    return sorted(shown, key=lambda item: (order.index(item.kind), item.label.casefold()))


def label_of(db: Session, account: Account, kind: AlertKind, key: str) -> str:
    """What one alert follows, by name (as the account may know it)."""
    return _labels(db, account, {kind: [key]}).get((kind, key), key)


def _labels(
    db: Session, account: Account, by_kind: dict[AlertKind, list[str]]
) -> dict[tuple[AlertKind, str], str]:
    labels: dict[tuple[AlertKind, str], str] = {}
    field_ids = {_id(key) for key in by_kind.get(AlertKind.FIELD, ())}
    for field in db.scalars(select(FieldOfAction).where(FieldOfAction.id.in_(field_ids))):
        labels[(AlertKind.FIELD, str(field.id))] = field.label
    for key in by_kind.get(AlertKind.TAG, ()):
        labels[(AlertKind.TAG, key)] = f"#{key}"
    circle_ids = {_id(key) for key in by_kind.get(AlertKind.CIRCLE, ())}
    if circle_ids:
        # An unlisted circle's name only for its active members (who left sees a stand-in).
        mine = circles.active_circle_ids(db, account.id)
        for circle in db.scalars(select(Circle).where(Circle.id.in_(circle_ids))):
            known = circle.listed or circle.id in mine
            labels[(AlertKind.CIRCLE, str(circle.id))] = (
                circle.name if known else _("ein Kreis, dem Sie nicht mehr angehören")
            )
        for key in by_kind.get(AlertKind.CIRCLE, ()):
            labels.setdefault((AlertKind.CIRCLE, key), _("ein Kreis, dem Sie nicht mehr angehören"))
    place_keys = [(kind, key) for kind in _PLACES for key in by_kind.get(kind, ())]
    names = {
        place.id: place.display_name
        for place in db.scalars(
            select(Municipality).where(Municipality.id.in_({_id(key) for _, key in place_keys}))
        )
    }
    for kind, key in place_keys:
        labels[(kind, key)] = names.get(_id(key) or 0, key)
    return labels


def keys_of(db: Session, vorhaben: Vorhaben) -> dict[AlertKind, set[str]]:
    """Every (kind, key) an alert may follow that this Vorhaben has: its fields, tags,
    municipality, the Land and Kreis that municipality lies in (or is), and its circle."""
    keys: dict[AlertKind, set[str]] = {
        AlertKind.FIELD: {
            str(key)
            for key in db.scalars(
                select(VorhabenField.field_id).where(VorhabenField.vorhaben_id == vorhaben.id)
            )
        },
        AlertKind.TAG: set(
            db.scalars(select(VorhabenTag.tag_folded).where(VorhabenTag.vorhaben_id == vorhaben.id))
        ),
        AlertKind.MUNICIPALITY: {str(vorhaben.municipality_id)},
        # The circle it is shared with (the fan-out's visibility check keeps the alerts to
        # its active members: who left hears nothing more).
        AlertKind.CIRCLE: {str(vorhaben.circle_id)} if vorhaben.circle_id is not None else set(),
    }
    place = db.get(Municipality, vorhaben.municipality_id)
    if place is not None:
        land = place.id if place.level is Level.LAND else place.land_id
        kreis = place.id if place.level is Level.KREIS else place.kreis_id
        keys[AlertKind.LAND] = {str(land)} if land else set()
        keys[AlertKind.KREIS] = {str(kreis)} if kreis else set()
    return {kind: values for kind, values in keys.items() if values}
