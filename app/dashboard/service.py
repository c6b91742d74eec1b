"""What is new for a member: in their Land, in their fields, on what they follow, signals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from app.comments.models import Comment
from app.core.clock import utcnow
from app.membership.models import Account
from app.municipalities.models import Municipality
from app.vorhaben.listing import card_options
from app.vorhaben.models import FieldOfAction, Follow, Interest, Signal, Vorhaben, VorhabenField
from app.vorhaben.visibility import comment_visible_clause, visible_clause

RECENT = dt.timedelta(days=90)


@dataclass(frozen=True)
class Dashboard:
    land_name: str | None
    new_in_land: list[Vorhaben]
    interests: list[FieldOfAction]
    in_my_fields: list[Vorhaben]
    followed_activity: list[tuple[Comment, Vorhaben]]
    signals: list[tuple[Signal, Vorhaben]]


def build(db: Session, member: Account, *, limit: int = 6) -> Dashboard:
    """The dashboard of one member (every list goes through the visibility rule)."""
    since = utcnow() - RECENT
    land = None
    if member.municipality_id is not None:
        land_id = db.scalar(
            select(Municipality.land_id).where(Municipality.id == member.municipality_id)
        )
        land = db.get(Municipality, land_id) if land_id else None
    new_in_land: list[Vorhaben] = []
    if land is not None:
        new_in_land = list(
            db.scalars(
                select(Vorhaben)
                .join(Municipality, Municipality.id == Vorhaben.municipality_id)
                .where(
                    visible_clause(member),
                    Municipality.land_id == land.id,
                    Vorhaben.created_at >= since,
                )
                .options(*card_options())
                .order_by(Vorhaben.created_at.desc())
                .limit(limit)
            ).unique()
        )
    interests = list(
        db.scalars(
            select(FieldOfAction)
            .join(Interest, Interest.field_id == FieldOfAction.id)
            .where(Interest.account_id == member.id)
            .order_by(FieldOfAction.position)
        )
    )
    in_my_fields: list[Vorhaben] = []
    if interests:
        in_my_fields = list(
            db.scalars(
                select(Vorhaben)
                .where(
                    visible_clause(member),
                    exists().where(
                        VorhabenField.vorhaben_id == Vorhaben.id,
                        VorhabenField.field_id.in_([entry.id for entry in interests]),
                    ),
                )
                .options(*card_options())
                .order_by(Vorhaben.last_activity_at.desc())
                .limit(limit)
            ).unique()
        )
    followed = db.execute(
        select(Comment, Vorhaben)
        .join(Vorhaben, Vorhaben.id == Comment.vorhaben_id)
        .join(Follow, (Follow.vorhaben_id == Vorhaben.id) & (Follow.account_id == member.id))
        .where(
            visible_clause(member),
            Comment.deleted_at.is_(None),
            comment_visible_clause(member),
            Comment.author_id != member.id,
            Comment.created_at >= since,
        )
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at.desc())
        .limit(limit)
    ).all()
    signals: list[tuple[Signal, Vorhaben]] = []
    if member.municipality_id is not None:
        rows = db.execute(
            select(Signal, Vorhaben)
            .join(Vorhaben, Vorhaben.id == Signal.vorhaben_id)
            .where(Vorhaben.municipality_id == member.municipality_id, visible_clause(member))
            .options(joinedload(Signal.municipality))
            .order_by(Signal.created_at.desc())
            .limit(limit * 2)
        ).all()
        signals = [(row.Signal, row.Vorhaben) for row in rows]
    return Dashboard(
        land_name=land.name if land else None,
        new_in_land=new_in_land,
        interests=interests,
        in_my_fields=in_my_fields,
        followed_activity=[(row.Comment, row.Vorhaben) for row in followed],
        signals=signals,
    )
