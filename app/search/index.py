"""Keeping the search index current, inside the transaction that changes the content."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.core.text import fold_words
from app.search import similar
from app.search.models import EntryKind, SearchEntry
from app.vorhaben.models import Vorhaben


def _upsert(
    db: Session, kind: EntryKind, ref_id: int, vorhaben_id: int, title: str, content: str
) -> None:
    entry = db.scalars(
        select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id)
    ).one_or_none()
    if entry is None:
        db.add(
            SearchEntry(
                kind=kind, ref_id=ref_id, vorhaben_id=vorhaben_id, title=title, content=content
            )
        )
    else:
        entry.title = title
        entry.content = content


def vorhaben_text(vorhaben: Vorhaben, tags: list[str]) -> tuple[str, str]:
    """Folded title and content of a Vorhaben (content includes the title)."""
    title = fold_words(vorhaben.title)
    parts = [
        vorhaben.title,
        vorhaben.summary,
        vorhaben.description,
        " ".join(tags),
        vorhaben.lessons_learned,
    ]
    return title, fold_words(" ".join(part for part in parts if part))


def index_vorhaben(db: Session, vorhaben: Vorhaben, tags: list[str]) -> None:
    """(Re)index a Vorhaben's own text, and its words for similar Vorhaben."""
    title, content = vorhaben_text(vorhaben, tags)
    _upsert(db, EntryKind.VORHABEN, vorhaben.id, vorhaben.id, title, content)
    similar.store_terms(
        db, vorhaben.id, similar.terms_of(f"{vorhaben.title} {vorhaben.summary}", tags)
    )


def index_comment(db: Session, comment: Comment) -> None:
    """(Re)index a comment; deleted and hidden comments leave the index."""
    if comment.is_deleted or comment.hidden_at is not None:
        remove_comment(db, comment.id)
        return
    _upsert(db, EntryKind.COMMENT, comment.id, comment.vorhaben_id, "", fold_words(comment.body))


def remove_comment(db: Session, comment_id: int) -> None:
    db.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment_id
        )
    )
