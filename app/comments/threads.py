"""A Vorhaben's discussion as plain data: what the thread template shows of each comment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select, union_all
from sqlalchemy.orm import Session, aliased

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

# A page holds this many threads (a top-level comment with all its replies: a reply never
# leaves its parent), the newest page first on the Vorhaben page. Twenty (with their
# replies, a few screens) rather than fifty: rendering the discussion was the largest part of
# the most read page, for threads far below what a reader sees first; older ones come in
# place when asked for (htmx), or as a page of their own without JavaScript.
PAGE_THREADS = 20

# Whose discussion a page is of: the Comment column that names it.
VORHABEN = "vorhaben_id"
TOPIC = "topic_id"


def _name(display_name: str | None, state: AccountState | None) -> str | None:
    """The author's name; None for a former member (erased, or the account is gone)."""
    return display_name if state is not None and state is not AccountState.ERASED else None


Threads = tuple[tuple[CommentView, tuple[CommentView, ...]], ...]


@dataclass(frozen=True)
class Thread:
    threads: Threads  # top-level comments, oldest first, each with its replies
    author_ids: frozenset[int]
    # The newest thread of the page before this one (its `bis` cursor), if there is one.
    older: int | None = None


def _views(rows: Iterable[Any]) -> list[CommentView]:
    return [
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


def _threads(views: list[CommentView]) -> Thread:
    """Comments ordered by time, grouped into threads of a top-level comment and its replies.
    More than PAGE_THREADS threads: the oldest one only names the page before."""
    replies: dict[int, list[CommentView]] = {}
    for view in views:
        if view.parent_id is not None:
            replies.setdefault(view.parent_id, []).append(view)
    tops = [view for view in views if view.parent_id is None]
    older = None
    if len(tops) > PAGE_THREADS:
        older = tops[-PAGE_THREADS - 1].id
        tops = tops[-PAGE_THREADS:]
    threads = tuple((top, tuple(replies.get(top.id, ()))) for top in tops)
    authors = frozenset(
        view.author_id
        for top, answers in threads
        for view in (top, *answers)
        if view.author_id is not None
    )
    return Thread(threads, authors, older)


def later_than(comment: Any, cursor: Any) -> ColumnElement[bool]:
    """`comment` comes after `cursor` in the order of the discussion (time, id)."""
    return and_(
        comment.created_at >= cursor.created_at,  # the range the index seeks to
        or_(
            comment.created_at > cursor.created_at,
            and_(comment.created_at == cursor.created_at, comment.id > cursor.id),
        ),
    )


def _before_or_at(comment: Any, cursor: Any) -> ColumnElement[bool]:
    """`comment` comes no later than `cursor` in the order of the discussion (time, id)."""
    return and_(
        comment.created_at <= cursor.created_at,  # the range the index seeks to
        or_(
            comment.created_at < cursor.created_at,
            and_(comment.created_at == cursor.created_at, comment.id <= cursor.id),
        ),
    )


def _page_statement(*, until: bool, of: str = VORHABEN) -> Select[Any]:
    """The threads of one page of `:vorhaben_id` (with `of` TOPIC: of that topic): the
    PAGE_THREADS newest (with `until`: the newest up to and including the top-level comment
    `:until`), and one more, which names the page before. Keyset paging over the index
    (vorhaben_id, created_at): a page deep in a long thread costs what the first one does.
    Built once, the values bound."""
    vorhaben_id = bindparam("vorhaben_id", type_=Integer)
    top = aliased(Comment, name="page_top")
    tops = select(top.id).where(getattr(top, of) == vorhaben_id, top.parent_id.is_(None))
    if until:
        cursor = aliased(Comment, name="page_cursor")
        tops = tops.join(
            cursor,
            and_(
                cursor.id == bindparam("until", type_=Integer),
                getattr(cursor, of) == vorhaben_id,
                cursor.parent_id.is_(None),
            ),
        ).where(_before_or_at(top, cursor))
    chosen = (
        tops.order_by(top.created_at.desc(), top.id.desc()).limit(PAGE_THREADS + 1).cte("chosen")
    )
    in_page = select(chosen.c.id)
    columns: list[Any] = [*_COLUMNS, Account.display_name, Account.state]

    def comments(which: ColumnElement[bool]) -> Select[Any]:
        return select(*columns).outerjoin(Account, Account.id == Comment.author_id).where(which)

    # The threads' top-level comments by primary key, their replies by parent: the rest of
    # a long discussion is not read.
    both = union_all(
        comments(Comment.id.in_(in_page)), comments(Comment.parent_id.in_(in_page))
    ).subquery("page")
    return select(*both.c).order_by(both.c.created_at, both.c.id)


_STATEMENTS = {
    (of, until): _page_statement(until=until, of=of)
    for of in (VORHABEN, TOPIC)
    for until in (False, True)
}


def page(db: Session, vorhaben_id: int, until: int | None = None, *, of: str = VORHABEN) -> Thread:
    """One page of the discussion of a Vorhaben (with `of` TOPIC: of a circle's topic; the
    caller checked that the reader may see it): its newest PAGE_THREADS threads, or those up
    to and including the thread of the top-level comment `until`. Hidden comments are in
    it: the template shows them through can_see_comment()."""
    if until is None:
        rows = db.execute(_STATEMENTS[of, False], {"vorhaben_id": vorhaben_id})
    else:
        rows = db.execute(_STATEMENTS[of, True], {"vorhaben_id": vorhaben_id, "until": until})
    return _threads(_views(rows))


_NEWER = aliased(Comment, name="newer")
_AFTER = aliased(Comment, name="after")


def newer_page(
    db: Session, vorhaben_id: int, until: int, *, of: str = VORHABEN
) -> tuple[bool, int | None]:
    """Whether threads newer than the one of `until` exist, and the `bis` cursor of the page
    that follows it (None: the newest page, on the Vorhaben's, or topic's, page itself)."""
    ids = db.scalars(
        select(_NEWER.id)
        .join(_AFTER, and_(_AFTER.id == until, getattr(_AFTER, of) == vorhaben_id))
        .where(
            getattr(_NEWER, of) == vorhaben_id,
            _NEWER.parent_id.is_(None),
            later_than(_NEWER, _AFTER),
        )
        .order_by(_NEWER.created_at, _NEWER.id)
        .limit(PAGE_THREADS + 1)
    ).all()
    if not ids:
        return False, None
    return True, ids[PAGE_THREADS - 1] if len(ids) > PAGE_THREADS else None


def page_url(vorhaben_id: int, until: int | None) -> str:
    """The address of a page of the discussion: the newest is on the Vorhaben page."""
    if until is None:
        return f"/vorhaben/{vorhaben_id}"
    return f"/vorhaben/{vorhaben_id}/kommentare?bis={until}"


def topic_page_url(circle_id: int, topic_id: int, until: int | None) -> str:
    """The address of a page of a topic's discussion: the newest is on the topic's page."""
    base = f"/kreise/{circle_id}/themen/{topic_id}"
    return base if until is None else f"{base}?bis={until}"


def thread_context(
    db: Session,
    vorhaben_id: int,
    until: int | None = None,
    *,
    newer: bool = True,
    topic_of: int | None = None,
) -> dict[str, Any]:
    """What the thread template needs: a page of threads (the newest, or the one ending with
    the thread of `until`), the addresses of the pages before and (unless not `newer`, as
    where htmx puts a page before the ones shown) after it, and the rule that decides which
    hidden comments it shows (the choke point's, not a copy). With `topic_of` (the topic's
    circle), `vorhaben_id` is a topic's."""
    of = VORHABEN if topic_of is None else TOPIC

    def url(cursor: int | None) -> str:
        if topic_of is None:
            return page_url(vorhaben_id, cursor)
        return topic_page_url(topic_of, vorhaben_id, cursor)

    shown = page(db, vorhaben_id, until, of=of)
    newer_url = None
    if until is not None and newer:
        exists, cursor = newer_page(db, vorhaben_id, until, of=of)
        if exists:
            newer_url = f"{url(cursor)}#kommentare"
    return {
        "threads": shown.threads,
        "older_url": url(shown.older) if shown.older is not None else None,
        "newer_url": newer_url,
        "can_see_comment": can_see_comment,
    }
