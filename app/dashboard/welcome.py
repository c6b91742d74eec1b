"""First steps for a new member: shown on the dashboard until taken, for a month at most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists

from app.accounts.models import Account
from app.core.clock import utcnow
from app.vorhaben.models import Follow, Vorhaben

NEW_FOR = dt.timedelta(days=30)


@dataclass(frozen=True)
class FirstSteps:
    chose_fields: bool
    follows_others: bool
    shared_one: bool

    @property
    def all_taken(self) -> bool:
        return self.chose_fields and self.follows_others and self.shared_one


def is_new(member: Account) -> bool:
    """Whether the member was approved in the last 30 days (and so gets first steps)."""
    return member.approved_at is not None and member.approved_at >= utcnow() - NEW_FOR


def steps_taken(member_id: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL conditions: the member (their id, or an expression for it) follows a Vorhaben
    of others; they shared one. (Whether they chose fields the dashboard knows from the
    fields it reads anyway.)"""
    follows_others = (
        exists()
        .where(Follow.account_id == member_id, Follow.vorhaben_id == Vorhaben.id)
        .where(Vorhaben.author_id.is_distinct_from(member_id))
    )
    return follows_others, exists().where(Vorhaben.author_id == member_id)


def steps(chose_fields: bool, follows_others: bool, shared_one: bool) -> FirstSteps | None:
    """The first steps of a new member (None when all are taken)."""
    found = FirstSteps(chose_fields, follows_others, shared_one)
    return None if found.all_taken else found
