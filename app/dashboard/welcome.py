"""First steps for a new member: shown on the dashboard until taken, for a month at most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.core.clock import utcnow
from app.vorhaben.models import Follow, Interest, Vorhaben

NEW_FOR = dt.timedelta(days=30)


@dataclass(frozen=True)
class FirstSteps:
    chose_fields: bool
    follows_others: bool
    shared_one: bool

    @property
    def all_taken(self) -> bool:
        return self.chose_fields and self.follows_others and self.shared_one


def first_steps(db: Session, member: Account) -> FirstSteps | None:
    """The steps of a member approved in the last 30 days (None when all are taken)."""
    if member.approved_at is None or member.approved_at < utcnow() - NEW_FOR:
        return None
    chose_fields, follows_others, shared_one = db.execute(
        select(
            exists().where(Interest.account_id == member.id),
            exists()
            .where(Follow.account_id == member.id, Follow.vorhaben_id == Vorhaben.id)
            .where(Vorhaben.author_id.is_distinct_from(member.id)),
            exists().where(Vorhaben.author_id == member.id),
        )
    ).one()  # one statement for the three
    steps = FirstSteps(bool(chose_fields), bool(follows_others), bool(shared_one))
    return None if steps.all_taken else steps
