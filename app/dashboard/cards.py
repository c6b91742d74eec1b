"""The dashboard's lists of cards, read in one statement: the newest Vorhaben in the member's
Land, those last active in their fields of action and in each of their circles. Each list is
a branch of a union with its own order and limit; the fields and tags of all the cards follow
in one more statement (app.vorhaben.repository.cards_of)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Integer, Select, bindparam, cast, exists, literal, null, select, union_all
from sqlalchemy.orm import Session

from app.municipalities.models import Municipality
from app.vorhaben import circle_cards
from app.vorhaben.models import Vorhaben, VorhabenField
from app.vorhaben.repository import Card, card_select, cards_of
from app.vorhaben.visibility import ReaderColumns, visible_clause

# The reader of the dashboard's statements, their values bound when they run.
READER = ReaderColumns(
    bindparam("reader_id", type_=Integer), bindparam("reader_municipality_id", type_=Integer)
)

# The lists, as the column `list` tells them apart.
NEW_IN_LAND, IN_FIELDS, IN_CIRCLES = range(3)

Found = list[tuple[Any, Card]]  # (the circle's id or None, the card), in no order


def card_lists(
    db: Session, bound: dict[str, Any], *, land: bool, fields: bool, circles: bool, limit: int
) -> tuple[Found, Found, Found]:
    """The cards of the lists the member has (`land`: `:land_id` and `:since` are bound,
    `fields`: `:field_ids`, `circles`: they are active in one), by list; none read when the
    member has none."""
    lists: tuple[Found, Found, Found] = ([], [], [])
    if land or fields or circles:
        rows = db.execute(_statement(land, fields, circles, limit), bound).all()
        for row, card in zip(rows, cards_of(db, [rows])[0], strict=True):
            lists[row.list].append((row.circle_id, card))
    return lists


def latest(found: Found, moment: str) -> tuple[Card, ...]:
    """The cards of a list, latest `moment` first: the order their branch chose them in,
    which the union does not keep."""
    cards = [card for _group, card in found]
    return tuple(sorted(cards, key=lambda card: (getattr(card, moment), card.id), reverse=True))


@functools.cache
def _statement(land: bool, fields: bool, circles: bool, limit: int) -> Select[Any]:
    """The branches of the lists asked for, built once for each combination."""
    branches: list[Select[Any]] = []
    no_circle = cast(null(), Integer).label("circle_id")
    if land:
        query = card_select(_new_in_land(limit))
        branches.append(query.add_columns(literal(NEW_IN_LAND).label("list"), no_circle))
    if fields:
        query = card_select(_in_fields(limit))
        branches.append(query.add_columns(literal(IN_FIELDS).label("list"), no_circle))
    if circles:
        query = card_select(circle_cards.recent_select(READER))
        in_circle = Vorhaben.circle_id.label("circle_id")
        branches.append(query.add_columns(literal(IN_CIRCLES).label("list"), in_circle))
    # Each branch keeps its order and limit in a subquery of its own.
    parts = [select(*branch.subquery().c) for branch in branches]
    if len(parts) == 1:
        return parts[0]
    both = union_all(*parts).subquery("cards")
    return select(*both.c)


def _new_in_land(limit: int) -> Select[Any]:
    """The newest Vorhaben in the Land `:land_id` since `:since`."""
    return (
        select(Vorhaben)
        .join(Municipality, Municipality.id == Vorhaben.municipality_id)
        .where(
            visible_clause(READER),
            Municipality.land_id == bindparam("land_id", type_=Integer),
            Vorhaben.created_at >= bindparam("since", type_=Vorhaben.created_at.type),
        )
        .order_by(Vorhaben.created_at.desc(), Vorhaben.id.desc())
        .limit(limit)
    )


def _in_fields(limit: int) -> Select[Any]:
    """The Vorhaben last active in the fields `:field_ids`."""
    return (
        select(Vorhaben)
        .where(
            visible_clause(READER),
            exists().where(
                VorhabenField.vorhaben_id == Vorhaben.id,
                VorhabenField.field_id.in_(bindparam("field_ids", expanding=True)),
            ),
        )
        .order_by(Vorhaben.last_activity_at.desc(), Vorhaben.id.desc())
        .limit(limit)
    )
