"""The one choke point for "what may this member read" (ARCHITECTURE.md rule 2).

Every read of Vorhaben, and of everything hanging off them (comments, signals, search hits,
similar-Vorhaben suggestions, notifications, mails), is limited by visible_clause(); reads of
comments add comment_visible_clause() (or can_see_comment() for a loaded one). Nobody
writes these filters inline: a Vorhaben restricted to its municipality never shows up for
anyone else, anywhere, and a comment the moderators hid only for its author.

Who sees a Vorhaben by its visibility: `members` all members; `municipality` the members
of its municipality; `partners` those and the members of its named partner municipalities;
`circle` the active members of its circle (app.circles), and nobody else, its own
municipality included. SQL names the partner and circle rows in EXISTS subqueries that run
only for Vorhaben so restricted; a loaded Vorhaben so restricted is checked by one small
statement (shared_with()), and the others by none. Moderators
read through the same rule; moderator_reads() is the one exception to it, for the subject of
an open report or a review, and audits it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.util import AliasedClass
from sqlalchemy.sql import Select

from app.accounts.models import Account, AccountState
from app.audit import service as audit
from app.circles.models import CircleMembership, MembershipState, Topic
from app.core.errors import NotFound
from app.i18n import gettext as _
from app.vorhaben.models import Visibility, Vorhaben, VorhabenPartner


class Reader(Protocol):
    """Who is reading: an approved member (Account or the template Viewer)."""

    @property
    def id(self) -> int: ...

    @property
    def is_member(self) -> bool: ...

    @property
    def municipality_id(self) -> int | None: ...


@dataclass(frozen=True)
class ReaderColumns:
    """A reader named by SQL expressions instead of values: columns of an enclosing query
    (a correlated subquery that counts for whichever account that query loads, as the page
    header's unread count read with the session) or bound parameters (a statement built
    once, the reader's values given when it runs; a municipality of None binds NULL, which
    matches nothing, as false() does). Counts as a member: the caller asks only for
    members."""

    id: Any
    municipality_id: Any
    is_member: bool = True


def visible_clause(reader: Reader) -> ColumnElement[bool]:
    """SQL condition on Vorhaben for what this reader may see."""
    if not reader.is_member:
        return false()
    own = (
        Vorhaben.municipality_id == reader.municipality_id
        if reader.municipality_id is not None
        else false()
    )
    # Hidden by moderation: gone for everyone but its author (who sees the reason).
    not_hidden = or_(Vorhaben.hidden_at.is_(None), Vorhaben.author_id == reader.id)
    return and_(_shared_clause(reader, own), not_hidden)


def _shared_clause(reader: Reader, own: ColumnElement[bool]) -> ColumnElement[bool]:
    # Each EXISTS reads its own table and correlates everything else: the Vorhaben, and the
    # account of an enclosing query when the reader is named by its columns (ReaderColumns).
    partner = (
        exists()
        .where(
            VorhabenPartner.vorhaben_id == Vorhaben.id,
            VorhabenPartner.municipality_id == reader.municipality_id,
        )
        .correlate_except(VorhabenPartner)
        if reader.municipality_id is not None
        else false()
    )
    in_circle = (
        exists()
        .where(
            CircleMembership.circle_id == Vorhaben.circle_id,
            CircleMembership.account_id == reader.id,
            CircleMembership.state == MembershipState.ACTIVE,
        )
        .correlate_except(CircleMembership)
    )
    return or_(
        Vorhaben.visibility == Visibility.MEMBERS,
        and_(Vorhaben.visibility.in_((Visibility.MUNICIPALITY, Visibility.PARTNERS)), own),
        and_(Vorhaben.visibility == Visibility.PARTNERS, partner),
        and_(Vorhaben.visibility == Visibility.CIRCLE, in_circle),
    )


# -- copies of a Vorhaben's scope on the rows that index it ------------------------------------
#
# Search entries (of a Vorhaben and of its comments) and the similar-Vorhaben terms carry a copy
# of their Vorhaben's scope, kept exact by the transaction that changes the Vorhaben
# (app.search.index), so that a lookup over many of them needs no join with Vorhaben: a row
# whose scope is OPEN_SCOPE belongs to a Vorhaben every member may see; any other value means
# "restricted: ask the Vorhaben row" (whatever the rule for it is, visible_clause() decides).

OPEN_SCOPE = Visibility.MEMBERS.value
HIDDEN_SCOPE = "hidden"


def scope_of(visibility: Visibility, hidden_at: dt.datetime | None) -> str:
    """The scope copied onto a Vorhaben's index rows: its visibility, or HIDDEN_SCOPE while
    moderation hides it."""
    return HIDDEN_SCOPE if hidden_at is not None else Visibility(visibility).value


def scoped_visible_clause(reader: Reader, scope: Any, vorhaben_id: Any) -> ColumnElement[bool]:
    """SQL condition on rows carrying a copy of their Vorhaben's scope (the columns `scope`
    and `vorhaben_id` of the caller's table): the same rows as visible_clause() on their
    Vorhaben. An open row is decided by its own columns, inside the index lookup; only a
    restricted one looks its Vorhaben up (by primary key, correlated)."""
    if not reader.is_member:
        return false()
    # OFFSET 0 keeps PostgreSQL from turning the lookup into a hashed scan of every visible
    # Vorhaben (run once per statement); a restricted row is rare, its lookup cheap.
    row = select(Vorhaben.id).where(Vorhaben.id == vorhaben_id, visible_clause(reader)).offset(0)
    return or_(scope == OPEN_SCOPE, and_(scope != OPEN_SCOPE, row.exists()))


def readers_clause(vorhaben: Vorhaben) -> ColumnElement[bool]:
    """SQL condition on Account: the approved members who may see this Vorhaben (can_see()
    turned around, for lists of people such as the suggestions for a mention). Callers
    still check each account with can_see() before they show or notify it."""
    approved = Account.state == AccountState.APPROVED
    if vorhaben.hidden_at is not None:
        return and_(approved, Account.id == vorhaben.author_id)
    if vorhaben.visibility is Visibility.MEMBERS:
        return approved
    if vorhaben.visibility is Visibility.CIRCLE:
        in_circle = (
            exists()
            .where(
                CircleMembership.circle_id == vorhaben.circle_id,
                CircleMembership.account_id == Account.id,
                CircleMembership.state == MembershipState.ACTIVE,
            )
            .correlate_except(CircleMembership)
        )
        return and_(approved, in_circle)
    own = Account.municipality_id == vorhaben.municipality_id
    if vorhaben.visibility is Visibility.PARTNERS:
        partners = select(VorhabenPartner.municipality_id).where(
            VorhabenPartner.vorhaben_id == vorhaben.id
        )
        return and_(approved, or_(own, Account.municipality_id.in_(partners)))
    return and_(approved, own)


def visible(reader: Reader) -> Select[Vorhaben]:
    """select(Vorhaben) limited to what the reader may see."""
    return select(Vorhaben).where(visible_clause(reader))


def can_see(reader: Reader, vorhaben: Vorhaben) -> bool:
    """The same rule as visible_clause(), for an object already loaded."""
    if vorhaben.hidden_at is not None and vorhaben.author_id != reader.id:
        return False
    return shared_with(reader, vorhaben)


def shared_with(reader: Reader, vorhaben: Vorhaben) -> bool:
    """can_see() apart from moderation: whether the Vorhaben is shared with this reader,
    hidden or not. A Vorhaben shared with partners or a circle is checked by one statement
    in its session (none, or a detached one, shares it with nobody)."""
    if not reader.is_member:
        return False
    visibility = vorhaben.visibility
    if visibility is Visibility.MEMBERS:
        return True
    own = reader.municipality_id is not None and vorhaben.municipality_id == reader.municipality_id
    if visibility is Visibility.MUNICIPALITY:
        return own
    if visibility is Visibility.PARTNERS and own:
        return True
    db = object_session(vorhaben)
    if db is None:
        return False
    if visibility is Visibility.PARTNERS:
        if reader.municipality_id is None:
            return False
        return bool(
            db.scalar(
                select(
                    exists().where(
                        VorhabenPartner.vorhaben_id == vorhaben.id,
                        VorhabenPartner.municipality_id == reader.municipality_id,
                    )
                )
            )
        )
    if visibility is Visibility.CIRCLE and vorhaben.circle_id is not None:
        return bool(db.scalar(select(exists().where(*_active_in(reader.id, vorhaben.circle_id)))))
    return False


def _active_in(account_id: int, circle_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        CircleMembership.circle_id == circle_id,
        CircleMembership.account_id == account_id,
        CircleMembership.state == MembershipState.ACTIVE,
    )


def comment_visible_clause(
    reader: Reader, comment: type[Any] | AliasedClass[Any]
) -> ColumnElement[bool]:
    """SQL condition on the Comment entity (or an alias of it) that the caller passes in:
    hidden comments only for their author. (Comments sit above Vorhaben, so this rule
    names only the two columns it reads, `hidden_at` and `author_id`.)

    Combine it with visible_clause() on the comment's Vorhaben: this one only adds what
    moderation hid."""
    entity: Any = comment
    return or_(entity.hidden_at.is_(None), entity.author_id == reader.id)


class LoadedComment(Protocol):
    """A comment as loaded: the ORM object or its snapshot (app.comments.threads)."""

    @property
    def author_id(self) -> int | None: ...

    @property
    def hidden_at(self) -> dt.datetime | None: ...


def can_see_comment(reader: Reader, comment: LoadedComment) -> bool:
    """The same rule as comment_visible_clause(), for a comment already loaded."""
    return reader.is_member and (comment.hidden_at is None or comment.author_id == reader.id)


C = TypeVar("C", bound=LoadedComment)


def require_visible_comment(comment: C | None, reader: Reader) -> C:
    """The comment, or 404 (a hidden comment does not admit it exists)."""
    if comment is None or not can_see_comment(reader, comment):
        raise NotFound(_("Diesen Kommentar gibt es nicht."))
    return comment


def visible_ids(db: Session, reader: Reader, ids: set[int]) -> set[int]:
    """Which of these Vorhaben ids the reader may see."""
    if not ids:
        return set()
    rows = db.scalars(select(Vorhaben.id).where(Vorhaben.id.in_(ids), visible_clause(reader)))
    return set(rows)


def require_visible(vorhaben: Vorhaben | None, reader: Reader) -> Vorhaben:
    """The Vorhaben, or 404 (not 403: a hidden Vorhaben does not admit it exists)."""
    if vorhaben is None or not can_see(reader, vorhaben):
        raise NotFound(_("Dieses Vorhaben gibt es nicht oder Sie können es nicht sehen."))
    return vorhaben


# -- topics (discussions of a circle that belong to no Vorhaben) -------------------------------


def topic_visible_clause(reader: Reader) -> ColumnElement[bool]:
    """SQL condition on Topic: visible exactly to the active members of its circle."""
    if not reader.is_member:
        return false()
    return (
        exists()
        .where(
            CircleMembership.circle_id == Topic.circle_id,
            CircleMembership.account_id == reader.id,
            CircleMembership.state == MembershipState.ACTIVE,
        )
        .correlate_except(CircleMembership)
    )


def can_see_topic(reader: Reader, topic: Topic) -> bool:
    """The same rule as topic_visible_clause(), for a loaded topic (one statement in its
    session; a detached topic is shared with nobody)."""
    db = object_session(topic)
    if not reader.is_member or db is None:
        return False
    return bool(db.scalar(select(exists().where(*_active_in(reader.id, topic.circle_id)))))


def require_visible_topic(topic: Topic | None, reader: Reader) -> Topic:
    """The topic, or 404 (a topic of another circle does not admit it exists)."""
    if topic is None or not can_see_topic(reader, topic):
        raise NotFound(_("Dieses Thema gibt es nicht oder Sie können es nicht sehen."))
    return topic


# -- what a circle shares besides topics (its dates) -------------------------------------------


def circle_content_clause(reader: Reader, circle_id: Any) -> ColumnElement[bool]:
    """SQL condition: the reader is an active member of the circle that `circle_id` (a
    column of the enclosing query) names. What a circle shares (its dates, its topics'
    dates) is visible to them alone."""
    if not reader.is_member:
        return false()
    return (
        exists()
        .where(
            CircleMembership.circle_id == circle_id,
            CircleMembership.account_id == reader.id,
            CircleMembership.state == MembershipState.ACTIVE,
        )
        .correlate_except(CircleMembership)
    )


def can_see_circle_content(db: Session, reader: Reader, circle_id: int) -> bool:
    """The same rule as circle_content_clause(), for one circle (one statement)."""
    if not reader.is_member:
        return False
    return bool(db.scalar(select(exists().where(*_active_in(reader.id, circle_id)))))


# -- moderators --------------------------------------------------------------------------------


class Moderating(Reader, Protocol):
    """A reader who may be a moderator."""

    @property
    def is_moderator(self) -> bool: ...


def moderator_reads(
    db: Session,
    moderator: Moderating,
    *,
    readable: bool,
    grant: str | None,
    object_type: str,
    object_id: int | str,
    record: bool = True,
) -> bool:
    """Whether a moderator may read content, by PRODUCT.md invariant 5 (404 if not).

    Moderators read through the members' rule: what they may see as members (`readable`,
    decided by the functions above) needs nothing more. Restricted content (another
    municipality's, hidden, an unsubmitted draft) they read only as the subject of an open
    report, an author's request for review or a publication review (`grant`, named by the
    domain that owns it), and each such view is an audit event (`record`; not for a
    decision, which is audited itself). Returns whether the content was restricted."""
    if readable:
        return False
    if grant is None or not moderator.is_moderator:
        raise NotFound(_("Diesen Beitrag gibt es nicht oder Sie können ihn nicht sehen."))
    if record:
        audit.record(
            db,
            "restricted_content_viewed",
            actor_id=moderator.id,
            object_type=object_type,
            object_id=object_id,
            grant=grant,
        )
    return True
