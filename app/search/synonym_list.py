"""The synonym list administrators edit (issue 18, item 1): stored as text, one group per
line ("KI = künstliche Intelligenz"), read by every search and every lookup of similar
Vorhaben, so an edit applies with the next search in every process.

Synonyms apply only when a query is analyzed (docs/search.md, "Synonyme"), so an edited list
needs no new index. Without a stored list the shipped one applies
(app.search.synonyms.DEFAULT_TEXT); resetting removes the stored list.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.audit import service as audit
from app.core.clock import utcnow
from app.core.errors import ValidationFailed
from app.core.text import forbidden_character, normalize, too_long
from app.i18n import gettext as _
from app.search.analyzer import DEFAULT_ANALYZER, MAX_SYNONYM_WORDS, Analyzer
from app.search.models import SynonymList
from app.search.synonyms import (
    DEFAULT_TEXT,
    MAX_EXPRESSION_LENGTH,
    MAX_EXPRESSIONS,
    MAX_GROUPS,
    Synonyms,
)

ROW = 1  # the one row
MAX_TEXT = 200_000  # characters; the default list has ~2,000
FIELD = "synonyms"
_STORED = select(SynonymList.text).where(SynonymList.id == ROW)


def stored_text(db: Session) -> str | None:
    """The edited list, or None where the shipped one applies."""
    text: str | None = db.scalar(_STORED)
    return text


def text_to_edit(db: Session) -> str:
    """The list as the form shows it: the edited one, else the shipped one."""
    stored = stored_text(db)
    return DEFAULT_TEXT.strip() + "\n" if stored is None else stored


def analyzer(db: Session) -> Analyzer:
    """The analyzer with the list that applies now (one small read per search)."""
    stored = stored_text(db)
    return DEFAULT_ANALYZER if stored is None else _analyzer(stored)


@lru_cache(maxsize=4)
def _analyzer(text: str) -> Analyzer:
    return Analyzer(synonyms=Synonyms.parse(text))


def problems(text: str) -> list[str]:
    """What is wrong with a list as typed, line by line (empty: nothing)."""
    if len(text) > MAX_TEXT:
        return [too_long(MAX_TEXT, len(text))]
    found: list[str] = []
    groups = 0
    first_line: dict[tuple[str, ...], int] = {}  # an expression as matched: its first line
    for number, line in enumerate(text.splitlines(), start=1):
        reason = forbidden_character(line)
        if reason is not None:
            found.append(_("Zeile %(line)s: %(reason)s", line=number, reason=reason))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expressions = [" ".join(part.split()) for part in line.split("=")]
        written = [expression for expression in expressions if expression]
        distinct = {expression.casefold() for expression in written}
        groups += 1
        if len(written) != len(expressions) or len(distinct) < 2:
            found.append(
                _(
                    "Zeile %(line)s: Eine Zeile nennt mindestens zwei verschiedene Ausdrücke, "
                    "getrennt durch „=“ (etwa „KI = künstliche Intelligenz“).",
                    line=number,
                )
            )
        elif len(written) > MAX_EXPRESSIONS:
            found.append(
                _(
                    "Zeile %(line)s: Höchstens %(limit)s Ausdrücke je Zeile.",
                    line=number,
                    limit=MAX_EXPRESSIONS,
                )
            )
        elif any(len(expression) > MAX_EXPRESSION_LENGTH for expression in written):
            found.append(
                _(
                    "Zeile %(line)s: Ein Ausdruck hat höchstens %(limit)s Zeichen.",
                    line=number,
                    limit=MAX_EXPRESSION_LENGTH,
                )
            )
        else:
            found.extend(_expression_problems(number, written, first_line))
    if groups > MAX_GROUPS:
        found.append(_("Höchstens %(limit)s Zeilen mit Synonymen.", limit=MAX_GROUPS))
    return found


def _expression_problems(
    number: int, written: list[str], first_line: dict[tuple[str, ...], int]
) -> list[str]:
    """A line's expressions as queries match them: each must have words that count, at
    most MAX_SYNONYM_WORDS, and belong to no earlier line (an expression belongs to one
    group; a later one would be ignored)."""
    found: list[str] = []
    matched: set[tuple[str, ...]] = set()
    for expression in written:
        tokens = DEFAULT_ANALYZER.synonym_tokens(expression)
        if tokens is not None:
            matched.add(tokens)
        if tokens is None:
            found.append(
                _(
                    "Zeile %(line)s: „%(expression)s“ hat kein Wort, das die Suche "
                    "vergleicht, oder mehr als %(limit)s Wörter.",
                    line=number,
                    expression=expression,
                    limit=MAX_SYNONYM_WORDS,
                )
            )
        elif first_line.setdefault(tokens, number) != number:
            found.append(
                _(
                    "Zeile %(line)s: „%(expression)s“ steht schon in Zeile %(first)s. Ein "
                    "Ausdruck gehört zu einer Gruppe; führen Sie die Zeilen zusammen.",
                    line=number,
                    expression=expression,
                    first=first_line[tokens],
                )
            )
    if not found and len(matched) < 2:
        found.append(
            _(
                "Zeile %(line)s: Für die Suche sind diese Ausdrücke gleich (sie vergleicht "
                "Wörter ohne Groß- und Kleinschreibung, Umlaute und Endungen).",
                line=number,
            )
        )
    return found


def save(db: Session, admin: Account, text: str) -> Synonyms:
    """Store the list as typed (audited); ValidationFailed names every wrong line."""
    text = normalize(text).replace("\r\n", "\n").replace("\r", "\n")
    wrong = problems(text)
    if wrong:
        raise ValidationFailed({FIELD: " ".join(wrong[:10])})
    before = stored_text(db)
    row = db.get(SynonymList, ROW)
    if row is None:
        row = SynonymList(id=ROW, text=text)
        db.add(row)
    row.text, row.updated_at = text, utcnow()
    synonyms = Synonyms.parse(text)
    if text != before:
        audit.record(
            db,
            "search_synonyms_changed",
            actor_id=admin.id,
            object_type="search_synonyms",
            object_id=ROW,
            groups_before=len(Synonyms.parse(DEFAULT_TEXT if before is None else before).groups),
            groups_after=len(synonyms.groups),
        )
    db.flush()
    return synonyms


def reset(db: Session, admin: Account) -> None:
    """Back to the shipped list (audited, if an edited one was stored)."""
    row = db.get(SynonymList, ROW)
    if row is None:
        return
    db.delete(row)
    audit.record(
        db,
        "search_synonyms_reset",
        actor_id=admin.id,
        object_type="search_synonyms",
        object_id=ROW,
    )
    db.flush()
