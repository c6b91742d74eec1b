"""Keeping the search index current, inside the transaction that changes the content.

A search entry holds the analyzer's tokens (app.search.analyzer) of one Vorhaben's own
text or of one comment, one column per ranking weight:

- `tokens_a`: the title;
- `tokens_b`: tags, fields of action and the summary;
- `tokens_c`: the description and the lessons learned;
- `tokens_d`: a comment.

Each column is the tokens joined by spaces. PostgreSQL builds a weighted `tsvector` from
them (a generated column with a GIN index), SQLite an FTS5 table over the four columns
(kept by triggers); see the migration 2026-12-06-0500_word_index.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, delete, func, inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.search import similar
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer
from app.search.models import EntryKind, SearchEntry, VorhabenTerm
from app.vorhaben.models import FieldOfAction, Vorhaben, VorhabenField
from app.vorhaben.visibility import scope_of

Columns = dict[str, str]
_SEP = "\x1f"  # between the parts read back in one value (tokens are [a-z0-9 ]+)


def joined(analyzer: Analyzer, *texts: str) -> str:
    """The tokens of the texts, in order, as one column's stored text."""
    return " ".join(token for text in texts if text for token in analyzer.analyze(text))


def vorhaben_columns(
    *,
    title: str,
    summary: str,
    description: str,
    lessons_learned: str,
    tags: Iterable[str],
    fields: Iterable[str],
    analyzer: Analyzer = DEFAULT_ANALYZER,
) -> Columns:
    """The stored token columns of a Vorhaben's own text."""
    labels = " ; ".join([*tags, *fields])
    return {
        "tokens_a": joined(analyzer, title),
        "tokens_b": joined(analyzer, labels, summary),
        "tokens_c": joined(analyzer, description, lessons_learned),
        "tokens_d": "",
    }


def comment_columns(body: str, analyzer: Analyzer = DEFAULT_ANALYZER) -> Columns:
    """The stored token columns of a comment."""
    return {"tokens_a": "", "tokens_b": "", "tokens_c": "", "tokens_d": joined(analyzer, body)}


def _insert(db: Session, model: Any) -> Any:
    """INSERT … ON CONFLICT for the session's database (both speak it alike)."""
    if db.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def _entry_upsert(
    db: Session, kind: EntryKind, ref_id: int, vorhaben_id: int, scope: str, columns: Columns
) -> Any:
    """Insert an entry, or update it where a column differs (an unchanged row is not
    written: no dead row on PostgreSQL, no FTS5 update on SQLite)."""
    statement = _insert(db, SearchEntry).values(
        kind=kind, ref_id=ref_id, vorhaben_id=vorhaben_id, scope=scope, **columns
    )
    changes = {name: statement.excluded[name] for name in (*columns, "scope")}
    table = SearchEntry.__table__
    differs = or_(*(table.c[name].is_distinct_from(value) for name, value in changes.items()))
    return statement.on_conflict_do_update(
        index_elements=["kind", "ref_id"], set_=changes, where=differs
    )


def _forget(db: Session, kind: EntryKind, ref_id: int) -> None:
    """Expire a loaded copy of an entry written past the ORM, so the session reads it anew."""
    for item in list(db.identity_map.values()):
        if isinstance(item, SearchEntry):
            loaded = inspect(item).dict
            if loaded.get("kind") == kind and loaded.get("ref_id") == ref_id:
                db.expire(item)


def update_scope(db: Session, vorhaben_id: int, scope: str) -> None:
    """Copy a Vorhaben's new scope onto its index rows (search entries of it and of its
    comments, similar-Vorhaben terms), in the transaction that changed it (also while
    the session flushes, app.search.subscribers)."""
    for model in (SearchEntry, VorhabenTerm):
        db.execute(
            update(model)
            .where(model.vorhaben_id == vorhaben_id, model.scope != scope)
            .values(scope=scope)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class _Stored:
    """What the index holds for a Vorhaben, and the labels of its fields of action."""

    fields: list[str]
    entry: tuple[str, ...] | None  # tokens_a, tokens_b, tokens_c, scope
    terms: dict[str, int]


def _stored(db: Session, vorhaben_id: int) -> _Stored:
    """One statement: the labels of a Vorhaben's fields of action (by id: the seed writes
    them alike), its entry's token columns and scope, its similar-Vorhaben terms."""
    fields = (
        select(
            func.aggregate_strings(cast(FieldOfAction.id, String) + ":" + FieldOfAction.label, _SEP)
        )
        .join(VorhabenField, VorhabenField.field_id == FieldOfAction.id)
        .where(VorhabenField.vorhaben_id == vorhaben_id)
        .scalar_subquery()
    )
    entry = (
        select(
            SearchEntry.tokens_a
            + _SEP
            + SearchEntry.tokens_b
            + _SEP
            + SearchEntry.tokens_c
            + _SEP
            + SearchEntry.scope
        )
        .where(SearchEntry.kind == EntryKind.VORHABEN, SearchEntry.ref_id == vorhaben_id)
        .scalar_subquery()
    )
    terms = (
        select(
            func.aggregate_strings(
                VorhabenTerm.term + ":" + cast(VorhabenTerm.weight, String), _SEP
            )
        )
        .where(VorhabenTerm.vorhaben_id == vorhaben_id)
        .scalar_subquery()
    )
    row = db.execute(
        select(fields.label("fields"), entry.label("entry"), terms.label("terms"))
    ).one()
    labelled = sorted(
        (int(key), label)
        for key, label in (item.split(":", 1) for item in (row.fields or "").split(_SEP) if item)
    )
    stored_terms = {
        term: int(weight)
        for term, weight in (item.split(":", 1) for item in (row.terms or "").split(_SEP) if item)
    }
    return _Stored(
        [label for _, label in labelled],
        tuple(row.entry.split(_SEP)) if row.entry is not None else None,
        stored_terms,
    )


def index_vorhaben(db: Session, vorhaben: Vorhaben, tags: list[str]) -> None:
    """(Re)index a Vorhaben's own text, and its words for similar Vorhaben: one statement
    reads what is stored, and what differs is written in one more (PostgreSQL; SQLite runs
    its parts one by one, in process), nothing when the analyzed text did not change."""
    stored = _stored(db, vorhaben.id)
    columns = vorhaben_columns(
        title=vorhaben.title,
        summary=vorhaben.summary,
        description=vorhaben.description,
        lessons_learned=vorhaben.lessons_learned,
        tags=tags,
        fields=stored.fields,
    )
    scope = scope_of(vorhaben.visibility, vorhaben.hidden_at)
    terms = similar.stored_terms(
        title=vorhaben.title,
        summary=vorhaben.summary,
        tags=tags,
        description=vorhaben.description,
    )
    writes: list[Any] = []
    wanted = (columns["tokens_a"], columns["tokens_b"], columns["tokens_c"], scope)
    if stored.entry != wanted:
        writes.append(
            _entry_upsert(db, EntryKind.VORHABEN, vorhaben.id, vorhaben.id, scope, columns)
        )
    gone = [term for term in stored.terms if term not in terms]
    if gone:
        writes.append(
            delete(VorhabenTerm).where(
                VorhabenTerm.vorhaben_id == vorhaben.id, VorhabenTerm.term.in_(gone)
            )
        )
    changed = [
        {"term": term, "vorhaben_id": vorhaben.id, "weight": weight, "scope": scope}
        for term, weight in terms.items()
        if stored.terms.get(term) != weight
    ]
    if changed:
        upsert = _insert(db, VorhabenTerm).values(changed)
        writes.append(
            upsert.on_conflict_do_update(
                index_elements=["term", "vorhaben_id"], set_={"weight": upsert.excluded.weight}
            )
        )
    _write(db, writes)
    if writes and stored.entry != wanted:
        _forget(db, EntryKind.VORHABEN, vorhaben.id)


def _write(db: Session, writes: list[Any]) -> None:
    """Run the writes; on PostgreSQL as one statement (the others as data-modifying CTEs
    of the last: they touch disjoint rows, so one snapshot serves them all)."""
    if not writes:
        return
    if db.get_bind().dialect.name != "postgresql":
        for statement in writes:
            db.execute(statement.execution_options(synchronize_session=False))
        return
    *before, last = writes
    for number, statement in enumerate(before):
        last = last.add_cte(statement.cte(f"w{number}"))
    db.execute(last)


def index_comment(db: Session, comment: Comment) -> None:
    """(Re)index a comment (one statement); deleted and hidden comments leave the index."""
    if comment.is_deleted or comment.hidden_at is not None or comment.vorhaben_id is None:
        remove_comment(db, comment.id)  # (a topic's comments are not in the index)
        return
    vorhaben = db.get(Vorhaben, comment.vorhaben_id)
    # Without its Vorhaben (being deleted), "unknown" lets the Vorhaben row decide.
    scope = scope_of(vorhaben.visibility, vorhaben.hidden_at) if vorhaben else "unknown"
    columns = comment_columns(comment.body)
    db.execute(
        _entry_upsert(db, EntryKind.COMMENT, comment.id, comment.vorhaben_id, scope, columns)
    )
    _forget(db, EntryKind.COMMENT, comment.id)


def remove_comment(db: Session, comment_id: int) -> None:
    db.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment_id
        )
    )
