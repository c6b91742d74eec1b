"""Vorhaben with fields, tags, a first version, a stage change, the author's follow,
cooperation signals of other municipalities, and their search index entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.core.text import fold
from app.search.analyzer import DEFAULT_ANALYZER
from app.search.index import joined, vorhaben_columns
from app.search.index import labels as index_labels
from app.search.models import EntryKind
from app.search.similar import stored_terms
from app.seed import dbtools, text, vocab
from app.seed.context import Context, Owner
from app.seed.pools import Pools, Rendered
from app.seed.topics import TOPICS, Topic
from app.vorhaben.models import AIUse, SignalKind, Stage, Visibility

STAGES = tuple(Stage)
STAGE_WEIGHTS = (22, 22, 10, 20, 16, 6, 4)  # idee … eingestellt
AI_USES = (AIUse.NONE, AIUse.RULE_BASED, AIUse.WEAK_AI, AIUse.OTHER)
AI_WEIGHTS = (85, 8, 5, 2)
SIGNAL_KINDS = tuple(SignalKind)
SIGNAL_SHARE = 0.3
MUNICIPALITY_ONLY_SHARE = 0.05


@dataclass(frozen=True)
class Planned:
    """What the comment phase needs to know about a Vorhaben."""

    id: int
    topic: int
    created: dt.datetime
    last_activity: dt.datetime
    comments: int
    scope: str  # copied onto its comments' search entries


def plan_visibility(ctx: Context, count: int) -> list[Visibility]:
    return [
        Visibility.MUNICIPALITY
        if ctx.rng.random() < MUNICIPALITY_ONLY_SHARE
        else Visibility.MEMBERS
        for _ in range(count)
    ]


def plan_comment_counts(ctx: Context, visibility: list[Visibility], total: int) -> list[int]:
    """A long tail: a third without comments, most with a few, some with hundreds.

    A few Vorhaben visible to all members get exactly 50 (the benchmark's detail page).
    """
    rng, count = ctx.rng, len(visibility)
    if count == 0 or total == 0:
        return [0] * count
    weights = [
        0.0 if rng.random() < 0.3 else min(rng.paretovariate(1.1), 200.0) for _ in visibility
    ]
    scale = total / (sum(weights) or 1.0)
    counts = [int(weight * scale) for weight in weights]
    for _ in range(total - sum(counts)):
        counts[rng.randrange(count)] += 1
    open_ids = [index for index, entry in enumerate(visibility) if entry is Visibility.MEMBERS]
    fifty = rng.sample(open_ids, k=min(len(open_ids), max(5, count // 2000), total // 100))
    for index in fifty:
        counts[index] = 50
    surplus = sum(counts) - total
    chosen = set(fifty)
    for index in sorted(range(count), key=lambda item: -counts[item]):
        if surplus <= 0:
            break
        if index not in chosen:
            taken = min(surplus, counts[index])
            counts[index] -= taken
            surplus -= taken
    while surplus < 0:  # fewer than asked for: give the rest to random Vorhaben
        index = rng.randrange(count)
        if index not in chosen:
            counts[index] += 1
            surplus += 1
    return counts


def _author(ctx: Context, owners: dict[int, Owner]) -> tuple[Owner, int | None]:
    owner = ctx.pick_owner()
    members = ctx.members
    local = members.by_municipality.get(owner.id)
    if local:
        return owner, ctx.rng.choice(local)
    if not members.ids:
        return owner, None
    author = ctx.rng.choice(members.ids)
    return owners[members.municipality[author]], author


def _tags(ctx: Context, topic: Topic) -> list[str]:
    rng = ctx.rng
    wanted = rng.randint(2, 5)
    own = rng.sample(topic.tags, k=min(len(topic.tags), rng.randint(1, wanted)))
    extra = [tag for tag in rng.sample(vocab.GENERIC_TAGS, k=wanted) if tag not in own]
    return (own + extra)[:wanted]


def _fields(ctx: Context, topic: Topic) -> list[int]:
    ids = [ctx.field_ids[slug] for slug in topic.fields if slug in ctx.field_ids]
    every = sorted(ctx.field_ids.values())
    if not ids or (ctx.rng.random() < 0.3 and len(ids) < 3):
        extra = ctx.rng.choice(every)
        if extra not in ids:
            ids.append(extra)
    return ids[:3]


def _dates(ctx: Context, stage: Stage, created: dt.datetime) -> tuple[dt.date | None, ...]:
    if stage in (Stage.IDEE, Stage.KONZEPT):
        return None, None
    start = (created - dt.timedelta(days=ctx.rng.randint(0, 365))).date()
    if stage.is_final or ctx.rng.random() < 0.3:
        return start, start + dt.timedelta(days=ctx.rng.randint(90, 900))
    return start, None


def _vorhaben_row(
    ctx: Context,
    pools: Pools,
    vorhaben_id: int,
    visibility: Visibility,
    comments: int,
    owners: dict[int, Owner],
) -> tuple[dict[str, Any], Planned, Owner, list[str], list[int], Rendered, Rendered | None]:
    rng = ctx.rng
    topic_index = rng.randrange(len(TOPICS))
    topic = TOPICS[topic_index]
    owner, author = _author(ctx, owners)
    created = ctx.moment_within(1095, bias=1.3)
    span = ctx.now - created
    if comments:
        last = created + span * rng.random() ** 0.4
    else:
        last = created + span * rng.random() * 0.05
    stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
    description = rng.choice(pools.descriptions[topic_index])
    lessons = None
    if (stage.is_final and rng.random() < 0.8) or (stage is Stage.BETRIEB and rng.random() < 0.3):
        lessons = rng.choice(pools.lessons)
    uses_ai = AIUse.WEAK_AI if topic.ai else rng.choices(AI_USES, weights=AI_WEIGHTS)[0]
    open_source = rng.random() < (0.7 if "Open Source" in topic.tags else 0.2)
    start, end = _dates(ctx, stage, created)
    project_slug = text.slugify(topic.short)
    site = owner.domain
    row = {
        "id": vorhaben_id,
        "title": text.title(rng, topic, owner.name, ctx.now.year),
        "summary": text.summary(rng, topic, stage.value, ctx.now.year),
        "description": description.source,
        "description_html": description.html,
        "stage": stage,
        "visibility": visibility,
        "municipality_id": owner.id,
        "author_id": author,
        "looking_for_partners": rng.random() < 0.3,
        "uses_ai": uses_ai,
        "open_source": open_source,
        "license": rng.choice(vocab.LICENSES) if open_source else None,
        "repository_url": (
            f"https://gitlab.opencode.de/{site.removesuffix('.de')}/{project_slug}"
            if open_source
            else None
        ),
        "website_url": f"https://www.{site}/{project_slug}" if rng.random() < 0.15 else None,
        "funding_programme": rng.choice(vocab.FUNDING) if rng.random() < 0.3 else None,
        "start_date": start,
        "end_date": end,
        "lessons_learned": lessons.source if lessons else "",
        "lessons_learned_html": lessons.html if lessons else "",
        "version": 1,
        "comment_count": comments,
        "created_at": created,
        "updated_at": created,
        "last_activity_at": last,
    }
    planned = Planned(vorhaben_id, topic_index, created, last, comments, visibility.value)
    return row, planned, owner, _tags(ctx, topic), _fields(ctx, topic), description, lessons


def _check_search_tokens(
    row: dict[str, Any], tags: list[str], fields: list[str], columns: dict[str, str]
) -> None:
    """The pooled analysis must equal what the application's indexer would store."""
    expected = vorhaben_columns(
        title=row["title"],
        summary=row["summary"],
        description=row["description"],
        lessons_learned=row["lessons_learned"],
        tags=tags,
        fields=fields,
    )
    if expected != columns:
        raise AssertionError(f"search tokens of Vorhaben {row['id']} differ from the indexer's")


def seed_vorhaben(
    ctx: Context, pools: Pools, count: int, comment_total: int
) -> tuple[list[Planned], dict[str, int]]:
    """Insert `count` Vorhaben with everything hanging off them except comments."""
    visibility = plan_visibility(ctx, count)
    comment_counts = plan_comment_counts(ctx, visibility, comment_total)
    owners = ctx.owner_by_id
    names = (
        "vorhaben",
        "vorhaben_fields",
        "vorhaben_tags",
        "vorhaben_versions",
        "vorhaben_stage_changes",
        "follows",
        "signals",
        "search_entries",
        "vorhaben_terms",
    )
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    counts = dict.fromkeys(names, 0)
    planned: list[Planned] = []
    chunk = max(1, ctx.batch_size // 2)

    def flush() -> None:
        if not pending["vorhaben"]:
            return
        dbtools.write(ctx.connection, *((name, pending[name]) for name in names))
        for name in names:
            counts[name] += len(pending[name])
            pending[name].clear()
        if counts["vorhaben"] % 20_000 < chunk or counts["vorhaben"] == count:
            ctx.out(f"  vorhaben: {counts['vorhaben']:,} of {count:,}")

    for index in range(count):
        vorhaben_id = ctx.next_id("vorhaben")
        row, plan, owner, tags, field_ids, description, lessons = _vorhaben_row(
            ctx, pools, vorhaben_id, visibility[index], comment_counts[index], owners
        )
        planned.append(plan)
        author, created = row["author_id"], row["created_at"]
        pending["vorhaben"].append(row)
        pending["vorhaben_fields"] += [
            {"vorhaben_id": vorhaben_id, "field_id": f} for f in field_ids
        ]
        pending["vorhaben_tags"] += [
            {"vorhaben_id": vorhaben_id, "tag": tag, "tag_folded": fold(tag)[:60]} for tag in tags
        ]
        snapshot = {
            "title": row["title"],
            "summary": row["summary"],
            "stage": row["stage"].value,
            "visibility": row["visibility"].value,
            "fields_of_action": [ctx.field_labels[field_id] for field_id in field_ids],
            "tags": sorted(tags),
        }
        pending["vorhaben_versions"].append(
            {
                "id": ctx.next_id("vorhaben_versions"),
                "vorhaben_id": vorhaben_id,
                "version": 1,
                "editor_id": author,
                "created_at": created,
                "snapshot": snapshot,
            }
        )
        pending["vorhaben_stage_changes"].append(
            {
                "id": ctx.next_id("vorhaben_stage_changes"),
                "vorhaben_id": vorhaben_id,
                "from_stage": None,
                "to_stage": row["stage"],
                "actor_id": author,
                "created_at": created,
            }
        )
        if author is not None:
            pending["follows"].append(
                {"account_id": author, "vorhaben_id": vorhaben_id, "created_at": created}
            )
        pending["signals"] += _signals(ctx, plan, owner.id)
        labels = [ctx.field_labels[field_id] for field_id in sorted(field_ids)]
        body = [description.tokens, lessons.tokens if lessons is not None else ""]
        columns = {
            "tokens_a": joined(DEFAULT_ANALYZER, row["title"]),
            "tokens_b": joined(DEFAULT_ANALYZER, index_labels(tags, labels), row["summary"]),
            "tokens_c": " ".join(part for part in body if part),
            "tokens_d": "",
        }
        if index % 1000 == 0:
            _check_search_tokens(row, tags, labels, columns)
        pending["search_entries"].append(
            {
                "id": ctx.next_id("search_entries"),
                "vorhaben_id": vorhaben_id,
                "kind": EntryKind.VORHABEN,
                "ref_id": vorhaben_id,
                "scope": plan.scope,
                **columns,
            }
        )
        pending["vorhaben_terms"] += [
            {"term": term, "vorhaben_id": vorhaben_id, "weight": weight, "scope": plan.scope}
            for term, weight in stored_terms(
                title=row["title"],
                summary=row["summary"],
                tags=tags,
                description=row["description"],
            ).items()
        ]
        if len(pending["vorhaben"]) >= chunk:
            flush()
    flush()
    return planned, counts


def _signals(ctx: Context, plan: Planned, owner_id: int) -> list[dict[str, Any]]:
    rng, members = ctx.rng, ctx.members
    if not members.ids or rng.random() >= SIGNAL_SHARE:
        return []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, SignalKind]] = set()
    for _ in range(rng.randint(1, 5)):
        account = rng.choice(members.ids)
        municipality = members.municipality[account]
        kind = rng.choice(SIGNAL_KINDS)
        if municipality == owner_id or (municipality, kind) in seen:
            continue
        seen.add((municipality, kind))
        rows.append(
            {
                "id": ctx.next_id("signals"),
                "vorhaben_id": plan.id,
                "municipality_id": municipality,
                "account_id": account,
                "kind": kind,
                "created_at": plan.created + (plan.last_activity - plan.created) * rng.random(),
            }
        )
    return rows
