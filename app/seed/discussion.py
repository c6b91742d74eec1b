"""Comments and replies (with their search index entries), streamed in batches."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from app.search.models import EntryKind
from app.seed import dbtools
from app.seed.context import Context
from app.seed.pools import Pools
from app.seed.projects import Planned

REPLY_SHARE = 0.2
PROGRESS_EVERY = 100_000


def _times(ctx: Context, plan: Planned) -> list[dt.datetime]:
    """Sorted comment times after the Vorhaben was created; the last one is its last activity."""
    first = plan.created + dt.timedelta(minutes=1)
    span = max(plan.last_activity - first, dt.timedelta(0))
    fractions = sorted(ctx.rng.random() for _ in range(plan.comments - 1))
    return [first + span * fraction for fraction in fractions] + [max(plan.last_activity, first)]


def seed_comments(ctx: Context, pools: Pools, planned: list[Planned]) -> dict[str, int]:
    """Insert the planned number of comments of every Vorhaben; returns row counts."""
    rng, members = ctx.rng, ctx.members
    total = sum(plan.comments for plan in planned)
    comments: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    counts = {"comments": 0, "replies": 0, "search_entries": 0}
    started = time.perf_counter()
    reported = 0

    def flush() -> None:
        nonlocal reported
        dbtools.write(ctx.connection, ("comments", comments), ("search_entries", entries))
        counts["comments"] += len(comments)
        counts["search_entries"] += len(entries)
        comments.clear()
        entries.clear()
        done = counts["comments"]
        if done != reported and (done - reported >= PROGRESS_EVERY or done == total):
            reported = counts["comments"]
            rate = reported / max(time.perf_counter() - started, 1e-9)
            ctx.out(f"  comments: {reported:,} of {total:,} ({rate:,.0f}/s)")

    for plan in planned:
        if not plan.comments:
            continue
        pool = pools.comments[plan.topic]
        reply_chance = min(0.5, REPLY_SHARE * plan.comments / max(plan.comments - 1, 1))
        threads: list[int] = []
        for position, created in enumerate(_times(ctx, plan)):
            comment_id = ctx.next_id("comments")
            parent = None
            if position and rng.random() < reply_chance:
                parent = rng.choice(threads)
                counts["replies"] += 1
            else:
                threads.append(comment_id)
            body = rng.choice(pool)
            comments.append(
                {
                    "id": comment_id,
                    "vorhaben_id": plan.id,
                    "parent_id": parent,
                    "author_id": rng.choice(members.ids) if members.ids else None,
                    "body": body.source,
                    "body_html": body.html,
                    "created_at": created,
                    "edited_at": None,
                    "deleted_at": None,
                    "deleted_by_id": None,
                }
            )
            entries.append(
                {
                    "id": ctx.next_id("search_entries"),
                    "vorhaben_id": plan.id,
                    "kind": EntryKind.COMMENT,
                    "ref_id": comment_id,
                    "scope": plan.scope,
                    "tokens_a": "",
                    "tokens_b": "",
                    "tokens_c": "",
                    "tokens_d": body.tokens,
                }
            )
            if len(comments) >= ctx.batch_size:
                flush()
    flush()
    return counts
