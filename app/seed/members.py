"""Approved members with an SSO identity each and some fields of interest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.accounts.models import AccountState, MailMode, Role
from app.seed import dbtools, vocab
from app.seed.context import Context
from app.seed.text import slugify

ISSUER = "urn:allmende:seed"
MAIL_MODES = (MailMode.IMMEDIATE, MailMode.DIGEST, MailMode.OFF)
MAIL_MODE_WEIGHTS = (70, 25, 5)
INTEREST_SHARE = 0.6


def _account(ctx: Context, account_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = ctx.rng
    owner = ctx.pick_owner()
    first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
    email = f"{slugify(first)}.{slugify(last)}.{account_id}@{owner.domain}"
    created = ctx.moment_within(730)
    approved = min(created + dt.timedelta(hours=rng.uniform(1, 120)), ctx.now)
    last_login = approved + (ctx.now - approved) * rng.random()
    account = {
        "id": account_id,
        "display_name": f"{first} {last}",
        "email": email,
        "email_verified": True,
        "position": rng.choice(vocab.POSITIONS),
        "municipality_id": owner.id,
        "role": Role.MEMBER,
        "state": AccountState.APPROVED,
        "state_reason": None,
        "locale": "de",
        "mail_mode": rng.choices(MAIL_MODES, weights=MAIL_MODE_WEIGHTS)[0],
        "created_at": created,
        "updated_at": approved,
        "approved_at": approved,
        "last_login_at": last_login,
    }
    identity = {
        "id": ctx.next_id("identities"),
        "account_id": account_id,
        "provider": "seed",
        "issuer": ISSUER,
        "subject": f"seed-{account_id}",
        "email": email,
        "email_verified": True,
        "claims": {},
        "created_at": created,
        "last_login_at": last_login,
    }
    ctx.members.add(account_id, owner.id)
    return account, identity


def seed_members(ctx: Context, count: int) -> dict[str, int]:
    """Insert `count` members; returns the row counts per table."""
    field_ids = sorted(ctx.field_ids.values())
    counts = {"accounts": 0, "identities": 0, "account_interests": 0}
    accounts: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    interests: list[dict[str, Any]] = []

    def flush() -> None:
        dbtools.write(
            ctx.connection,
            ("accounts", accounts),
            ("identities", identities),
            ("account_interests", interests),
        )
        counts["accounts"] += len(accounts)
        counts["identities"] += len(identities)
        counts["account_interests"] += len(interests)
        accounts.clear()
        identities.clear()
        interests.clear()

    for _ in range(count):
        account_id = ctx.next_id("accounts")
        account, identity = _account(ctx, account_id)
        accounts.append(account)
        identities.append(identity)
        if ctx.rng.random() < INTEREST_SHARE:
            for field_id in ctx.rng.sample(field_ids, k=min(len(field_ids), ctx.rng.randint(1, 3))):
                interests.append({"account_id": account_id, "field_id": field_id})
        if len(accounts) >= ctx.batch_size:
            flush()
    flush()
    return counts
