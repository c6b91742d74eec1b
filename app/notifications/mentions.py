"""@mentions: a member named in a text as `@[Name](/mitglieder/{id})` (what the completion
inserts; Markdown renders it as a link to the profile, sanitized like every text).

The id, not the name, says who is meant: display names are not unique. A text of any kind
(a comment here; topics and messages call the same functions with their own
`object_type`) hands its source to newly_mentioned(), which records every member it names
and returns those to notify now: approved, not the author, able to see the text, and not
told about this text before (an edit does not notify again). Mentions in code are text.
Suggestions come only from the members who may see the text: those who may see the
Vorhaben (candidates), or a circle's active members for its topics (circle_candidates)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import FORMER_MEMBER, Account, AccountState
from app.core.clock import utcnow
from app.core.markdown import links_after
from app.municipalities.models import Municipality, distinct_name
from app.notifications.models import Mention
from app.vorhaben.models import Vorhaben
from app.vorhaben.visibility import (
    ReaderColumns,
    can_see,
    can_see_circle_content,
    circle_content_clause,
    readers_clause,
)

PROFILE = re.compile(r"/mitglieder/([1-9][0-9]{0,11})")
SUGGESTIONS = 8
QUERY_MAX = 100


def mentioned_ids(source: str) -> list[int]:
    """The member ids a Markdown text names with @[…](/mitglieder/{id}), each once, in
    order of first mention (not those written in code)."""
    ids: list[int] = []
    for target in links_after(source, "@"):
        match = PROFILE.fullmatch(target)
        if match is not None and int(match.group(1)) not in ids:
            ids.append(int(match.group(1)))
    return ids


def syntax(name: str, account_id: int) -> str:
    """What the completion inserts for a member: their name as the link text (Markdown's
    brackets and backslashes escaped, so any name stays one link) and their profile."""
    text = " ".join(name.split())
    text = re.sub(r"([\\\[\]])", r"\\\1", text)
    return f"@[{text}](/mitglieder/{account_id})"


def newly_mentioned(
    db: Session,
    *,
    object_type: str,
    object_id: int,
    source: str,
    author_id: int,
    may_see: Callable[[Account], bool],
) -> list[Account]:
    """Record whom the text names and return the members to notify now: approved, not the
    author, who may see the text (`may_see`, the caller's visibility rule) and were not
    notified of this text before. Unknown ids are ignored."""
    ids = [key for key in mentioned_ids(source) if key != author_id]
    if not ids:
        return []
    known = {
        row.account_id: row
        for row in db.scalars(
            select(Mention).where(
                Mention.object_type == object_type,
                Mention.object_id == object_id,
                Mention.account_id.in_(ids),
            )
        )
    }
    accounts = {
        account.id: account for account in db.scalars(select(Account).where(Account.id.in_(ids)))
    }
    now = utcnow()
    notify = []
    for key in ids:
        account = accounts.get(key)
        if account is None:
            continue
        row = known.get(key)
        if row is None:
            row = Mention(object_type=object_type, object_id=object_id, account_id=key)
            db.add(row)
        if row.notified_at is None and account.is_member and may_see(account):
            row.notified_at = now
            notify.append(account)
    db.flush()
    return notify


def without_name(source: str, account_id: int) -> str:
    """The text with the erased member's name taken out of their mentions (the link stays,
    its text becomes "Ehemaliges Mitglied")."""
    pattern = re.compile(r"@\[(?:[^\]\\]|\\.)*\]\(/mitglieder/" + str(account_id) + r"\)")
    return pattern.sub(syntax(FORMER_MEMBER, account_id).replace("\\", r"\\"), source)


def mentioning(db: Session, account_id: int, object_type: str) -> list[int]:
    """The ids of the texts of a kind that name the member."""
    return list(
        db.scalars(
            select(Mention.object_id).where(
                Mention.account_id == account_id, Mention.object_type == object_type
            )
        )
    )


@dataclass(frozen=True)
class Candidate:
    """A member the completion suggests, with what it inserts."""

    id: int
    name: str
    municipality: str
    insert: str


def candidates(db: Session, reader: Account, vorhaben: Vorhaben, query: str) -> list[Candidate]:
    """Members whose name contains `query` and who may see the Vorhaben (never anyone
    else), the reader left out; a few, by name. The reader must see it themselves: the
    caller loads the Vorhaben through the visibility rule."""
    words = " ".join(query.split())[:QUERY_MAX].lower()
    if not words or not reader.is_member or not can_see(reader, vorhaben):
        return []
    rows = db.execute(
        select(Account, Municipality)
        .outerjoin(Municipality, Municipality.id == Account.municipality_id)
        .where(
            readers_clause(vorhaben),
            Account.id != reader.id,
            func.lower(Account.display_name).contains(words, autoescape=True),
        )
        .order_by(Account.display_name, Account.id)
        .limit(SUGGESTIONS * 2)
    ).all()
    # The rule itself decides, the query narrows.
    return _shown([(a, m) for a, m in rows if can_see(a, vorhaben)])


def circle_candidates(db: Session, reader: Account, circle_id: int, query: str) -> list[Candidate]:
    """Members whose name contains `query` and who are active members of the circle (who
    alone see its topics), the reader left out; a few, by name. Nothing for a reader who
    is not an active member themselves."""
    words = " ".join(query.split())[:QUERY_MAX].lower()
    if not words or not can_see_circle_content(db, reader, circle_id):
        return []
    member = ReaderColumns(id=Account.id, municipality_id=Account.municipality_id)
    rows = db.execute(
        select(Account, Municipality)
        .outerjoin(Municipality, Municipality.id == Account.municipality_id)
        .where(
            Account.state == AccountState.APPROVED,
            circle_content_clause(member, circle_id),
            Account.id != reader.id,
            func.lower(Account.display_name).contains(words, autoescape=True),
        )
        .order_by(Account.display_name, Account.id)
        .limit(SUGGESTIONS)
    ).all()
    return _shown([(account, municipality) for account, municipality in rows])


def _shown(rows: list[tuple[Account, Municipality | None]]) -> list[Candidate]:
    found = []
    for account, municipality in rows:
        place = (
            distinct_name(municipality.name, municipality.level, municipality.kind_code)
            if municipality is not None
            else ""
        )
        found.append(
            Candidate(
                account.id,
                account.display_name,
                place,
                syntax(account.display_name, account.id),
            )
        )
    return found[:SUGGESTIONS]
