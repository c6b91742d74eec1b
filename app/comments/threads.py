"""A Vorhaben's discussion as plain data: what the thread template shows of each comment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState
from app.comments.models import Comment
from app.vorhaben.visibility import can_see_comment


@dataclass(frozen=True, slots=True)
class CommentView:
    """What the thread shows of a comment."""

    id: int
    parent_id: int | None
    author_id: int | None
    author_name: str | None  # None: a former member (erased, or the account is gone)
    created_at: dt.datetime
    edited_at: dt.datetime | None
    body_html: str
    deleted_at: dt.datetime | None
    hidden_at: dt.datetime | None
    hidden_reason: str | None
    review_requested_at: dt.datetime | None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @classmethod
    def of(cls, comment: Comment) -> CommentView:
        """The snapshot of a comment loaded with its author."""
        author = comment.author
        named = author is not None and author.state is not AccountState.ERASED
        return cls(
            id=comment.id,
            parent_id=comment.parent_id,
            author_id=comment.author_id,
            author_name=author.display_name if named and author is not None else None,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
            body_html=comment.body_html,
            deleted_at=comment.deleted_at,
            hidden_at=comment.hidden_at,
            hidden_reason=comment.hidden_reason,
            review_requested_at=comment.review_requested_at,
        )


# Read as plain rows: building the ORM objects of a long thread cost more than the query.
_COLUMNS = (
    Comment.id,
    Comment.parent_id,
    Comment.author_id,
    Comment.created_at,
    Comment.edited_at,
    Comment.body_html,
    Comment.deleted_at,
    Comment.hidden_at,
    Comment.hidden_reason,
    Comment.review_requested_at,
)


def _name(display_name: str | None, state: AccountState | None) -> str | None:
    """The author's name; None for a former member (erased, or the account is gone)."""
    return display_name if state is not None and state is not AccountState.ERASED else None


Threads = tuple[tuple[CommentView, tuple[CommentView, ...]], ...]


@dataclass(frozen=True)
class Thread:
    threads: Threads  # top-level comments, oldest first, each with its replies
    author_ids: frozenset[int]


def thread(db: Session, vorhaben_id: int) -> Thread:
    """The discussion of a Vorhaben (the caller checked that the reader may see it); hidden
    comments are in it, the template shows them through can_see_comment()."""

    rows = db.execute(
        select(*_COLUMNS, Account.display_name, Account.state)
        .outerjoin(Account, Account.id == Comment.author_id)
        .where(Comment.vorhaben_id == vorhaben_id)
        .order_by(Comment.created_at, Comment.id)
    )
    views = [
        CommentView(
            row.id,
            row.parent_id,
            row.author_id,
            _name(row.display_name, row.state),
            row.created_at,
            row.edited_at,
            row.body_html,
            row.deleted_at,
            row.hidden_at,
            row.hidden_reason,
            row.review_requested_at,
        )
        for row in rows
    ]
    replies: dict[int, list[CommentView]] = {}
    for view in views:
        if view.parent_id is not None:
            replies.setdefault(view.parent_id, []).append(view)
    threads = tuple(
        (view, tuple(replies.get(view.id, ()))) for view in views if view.parent_id is None
    )
    authors = frozenset(view.author_id for view in views if view.author_id is not None)
    return Thread(threads, authors)


def thread_context(db: Session, vorhaben_id: int) -> dict[str, object]:
    """What the thread template needs: the threads, and the rule that decides which hidden
    comments it shows (the choke point's, not a copy in the template)."""
    return {"threads": thread(db, vorhaben_id).threads, "can_see_comment": can_see_comment}
