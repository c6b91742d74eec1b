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

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.search import similar
from app.search.analyzer import DEFAULT_ANALYZER, Analyzer
from app.search.models import EntryKind, SearchEntry, VorhabenTerm
from app.vorhaben.models import FieldOfAction, Vorhaben, VorhabenField
from app.vorhaben.visibility import scope_of

Columns = dict[str, str]


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


def _upsert(
    db: Session, kind: EntryKind, ref_id: int, vorhaben_id: int, scope: str, columns: Columns
) -> None:
    entry = db.scalars(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
    ).one_or_none()
    if entry is None:
        db.add(
            SearchEntry(kind=kind, ref_id=ref_id, vorhaben_id=vorhaben_id, scope=scope, **columns)
        )
        return
    for name, value in {**columns, "scope": scope}.items():
        if getattr(entry, name) != value:
            setattr(entry, name, value)


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


def field_labels(db: Session, vorhaben_id: int) -> list[str]:
    """The labels of a Vorhaben's fields of action (by id: the seed writes them alike)."""
    return list(
        db.scalars(
            select(FieldOfAction.label)
            .join(VorhabenField, VorhabenField.field_id == FieldOfAction.id)
            .where(VorhabenField.vorhaben_id == vorhaben_id)
            .order_by(FieldOfAction.id)
        )
    )


def index_vorhaben(db: Session, vorhaben: Vorhaben, tags: list[str]) -> None:
    """(Re)index a Vorhaben's own text, and its words for similar Vorhaben."""
    columns = vorhaben_columns(
        title=vorhaben.title,
        summary=vorhaben.summary,
        description=vorhaben.description,
        lessons_learned=vorhaben.lessons_learned,
        tags=tags,
        fields=field_labels(db, vorhaben.id),
    )
    scope = scope_of(vorhaben.visibility, vorhaben.hidden_at)
    _upsert(db, EntryKind.VORHABEN, vorhaben.id, vorhaben.id, scope, columns)
    similar.store_terms(
        db,
        vorhaben.id,
        scope,
        similar.stored_terms(
            title=vorhaben.title,
            summary=vorhaben.summary,
            tags=tags,
            description=vorhaben.description,
        ),
    )


def index_comment(db: Session, comment: Comment) -> None:
    """(Re)index a comment; deleted and hidden comments leave the index."""
    if comment.is_deleted or comment.hidden_at is not None or comment.vorhaben_id is None:
        remove_comment(db, comment.id)  # (a topic's comments are not in the index)
        return
    vorhaben = db.get(Vorhaben, comment.vorhaben_id)
    # Without its Vorhaben (being deleted), "unknown" lets the Vorhaben row decide.
    scope = scope_of(vorhaben.visibility, vorhaben.hidden_at) if vorhaben else "unknown"
    _upsert(
        db, EntryKind.COMMENT, comment.id, comment.vorhaben_id, scope, comment_columns(comment.body)
    )


def remove_comment(db: Session, comment_id: int) -> None:
    db.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment_id
        )
    )
