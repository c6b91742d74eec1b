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

from sqlalchemy import (
    delete,
    update,
)
from sqlalchemy.orm import Session

from app.comments.models import Comment
from app.search import similar, writes
from app.search.analyzer import DEFAULT_ANALYZER, GAP, Analyzer
from app.search.models import EntryKind, SearchEntry, VorhabenTerm
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import scope_of

Columns = dict[str, str]
TOKEN_COLUMNS = ("tokens_a", "tokens_b", "tokens_c", "tokens_d")  # by ranking weight


def joined(analyzer: Analyzer, *texts: str) -> str:
    """The tokens of the texts, in order, each text's followed by GAP, as one column's
    stored text (the joined() of texts apart, joined by a space, is the same)."""
    return " ".join(
        f"{' '.join(tokens)} {GAP}" for text in texts if text and (tokens := analyzer.analyze(text))
    )


# Raise when a change here changes the stored token columns (part of bulk.fingerprint: a
# deployment then rebuilds the index). 2: tags and fields of action in one order; 3: GAP
# after each text.
COLUMNS_VERSION = 3


def labels(tags: Iterable[str], fields: Iterable[str]) -> str:
    """A Vorhaben's tags and fields of action as indexed, sorted: the form hands them over
    as typed, a rebuild reads them from the tables, and the ranking reads adjacent tokens
    (a compound's parts), so another order gave the same Vorhaben another score."""
    return " ; ".join([*sorted(tags), *sorted(fields)])


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
    return {
        "tokens_a": joined(analyzer, title),
        "tokens_b": joined(analyzer, labels(tags, fields), summary),
        "tokens_c": joined(analyzer, description, lessons_learned),
        "tokens_d": "",
    }


def comment_columns(body: str, analyzer: Analyzer = DEFAULT_ANALYZER) -> Columns:
    """The stored token columns of a comment."""
    return {"tokens_a": "", "tokens_b": "", "tokens_c": "", "tokens_d": joined(analyzer, body)}


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


def index_vorhaben(db: Session, vorhaben: Vorhaben, tags: list[str]) -> None:
    """(Re)index a Vorhaben's own text, and its words for similar Vorhaben: one statement
    reads what is stored, what differs is written (app.search.writes), nothing when the
    analyzed text did not change."""
    stored = writes.read(db, vorhaben.id)
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
    wanted = (columns["tokens_a"], columns["tokens_b"], columns["tokens_c"], scope)
    old = stored.terms
    writes.write_vorhaben(
        db,
        vorhaben.id,
        scope,
        columns,
        entry_changed=stored.entry != wanted,
        gone=[term for term in old if term not in terms],
        changed={term: weight for term, weight in terms.items() if old.get(term) != weight},
    )


def index_comment(db: Session, comment: Comment) -> None:
    """(Re)index a comment (one statement); deleted and hidden comments leave the index."""
    if comment.is_deleted or comment.hidden_at is not None or comment.vorhaben_id is None:
        remove_comment(db, comment.id)  # (a topic's comments are not in the index)
        return
    vorhaben = db.get(Vorhaben, comment.vorhaben_id)
    # Without its Vorhaben (being deleted), "unknown" lets the Vorhaben row decide.
    scope = scope_of(vorhaben.visibility, vorhaben.hidden_at) if vorhaben else "unknown"
    writes.write_entry(
        db, EntryKind.COMMENT, comment.id, comment.vorhaben_id, scope, comment_columns(comment.body)
    )


def remove_comment(db: Session, comment_id: int) -> None:
    db.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == EntryKind.COMMENT, SearchEntry.ref_id == comment_id
        )
    )
