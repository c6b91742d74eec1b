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
from app.db import insert_for
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
MAX_SHOWN = 10  # wrong lines named at once
FIELD = "synonyms"
SHIPPED = DEFAULT_TEXT.strip() + "\n"  # the shipped list as the form shows it
_STORED = select(SynonymList.text).where(SynonymList.id == ROW)


def stored_text(db: Session) -> str | None:
    """The edited list, or None where the shipped one applies."""
    text: str | None = db.scalar(_STORED)
    return text


def analyzer(db: Session) -> Analyzer:
    """The analyzer with the list that applies now (one small read per search)."""
    stored = stored_text(db)
    return DEFAULT_ANALYZER if stored is None else _analyzer(stored)


@lru_cache(maxsize=4)
def _analyzer(text: str) -> Analyzer:
    return Analyzer(synonyms=Synonyms.parse(text))


def problems(text: str) -> list[str]:
    """What is wrong with a list as typed, line by line (empty: nothing). The lines are
    split at line feeds only; every other line or paragraph separator is refused."""
    if len(text) > MAX_TEXT:
        return [too_long(MAX_TEXT, len(text))]
    found: list[str] = []
    lines: dict[int, list[str]] = {}  # a line's number: its expressions, where they are right
    first_line: dict[tuple[str, ...], int] = {}  # an expression as matched: its first line
    for number, line in enumerate(text.split("\n"), start=1):
        reason = forbidden_character(line) or (
            _("Enthält einen Zeilen- oder Absatztrenner.") if _SEPARATORS & set(line) else None
        )
        if reason is not None:
            found.append(_("Zeile %(line)s: %(reason)s", line=number, reason=reason))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        wrong = _line_problems(number, line, first_line)
        found.extend(wrong)
        if not wrong:
            lines[number] = [" ".join(part.split()) for part in line.split("=")]
    if len(lines) > MAX_GROUPS:
        found.append(_("Höchstens %(limit)s Zeilen mit Synonymen.", limit=MAX_GROUPS))
    if not found:
        found.extend(_lost(lines, Analyzer(synonyms=Synonyms.parse(text))))
    return found


# Characters str.splitlines() would break a line at, besides the line feed (the vertical
# tab, form feed, file, group and record separators and NEL are controls and refused as
# such).
_SEPARATORS = frozenset("\u2028\u2029")


def _line_problems(number: int, line: str, first_line: dict[tuple[str, ...], int]) -> list[str]:
    expressions = [" ".join(part.split()) for part in line.split("=")]
    written = [expression for expression in expressions if expression]
    if len(written) != len(expressions) or len({e.casefold() for e in written}) < 2:
        return [
            _(
                "Zeile %(line)s: Eine Zeile nennt mindestens zwei verschiedene Ausdrücke, "
                "getrennt durch „=“ (etwa „KI = künstliche Intelligenz“).",
                line=number,
            )
        ]
    if len(written) > MAX_EXPRESSIONS:
        return [
            _(
                "Zeile %(line)s: Höchstens %(limit)s Ausdrücke je Zeile.",
                line=number,
                limit=MAX_EXPRESSIONS,
            )
        ]
    if any(len(expression) > MAX_EXPRESSION_LENGTH for expression in written):
        return [
            _(
                "Zeile %(line)s: Ein Ausdruck hat höchstens %(limit)s Zeichen.",
                line=number,
                limit=MAX_EXPRESSION_LENGTH,
            )
        ]
    return _expression_problems(number, written, first_line)


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


def _lost(lines: dict[int, list[str]], analyzer: Analyzer) -> list[str]:
    """Lines the built analyzer does not apply whole: searching one of a line's expressions
    must find every other (a compound's parts claimed by an earlier line, or more parts
    than a group keeps, would lose some)."""
    found: list[str] = []
    for number, expressions in lines.items():
        for expression in expressions:
            terms = analyzer.analyze_query(expression).terms
            reached = {alternative for term in terms for alternative in term.alternatives}
            missing = [
                other for other in expressions if len(terms) != 1 or not _found(other, reached)
            ]
            if missing:
                found.append(
                    _(
                        "Zeile %(line)s: Wer „%(expression)s“ sucht, fände „%(missing)s“ "
                        "nicht: Teile davon stehen schon in einer früheren Zeile, oder die "
                        "Zeile hat zu viele zusammengesetzte Wörter.",
                        line=number,
                        expression=expression,
                        missing=missing[0],
                    )
                )
                break
    return found


def _found(expression: str, reached: set[tuple[str, ...]]) -> bool:
    """Whether a text with the expression matches one of the alternatives (a shorter one
    inside it will do: "Nahverkehr" finds "öffentlicher Nahverkehr", and the analyzer keeps
    only the shorter)."""
    tokens = set(DEFAULT_ANALYZER.synonym_tokens(expression) or ())
    return any(set(alternative) <= tokens for alternative in reached)


def save(db: Session, admin: Account, text: str) -> Synonyms:
    """Store the list as typed (audited with the text before and after); ValidationFailed
    names the wrong lines."""
    text = normalize(text)
    wrong = problems(text)
    if wrong:
        shown = " ".join(wrong[:MAX_SHOWN])
        if len(wrong) > MAX_SHOWN:
            shown += " " + _("… und %(count)s weitere.", count=len(wrong) - MAX_SHOWN)
        raise ValidationFailed({FIELD: shown})
    before = stored_text(db)
    now = utcnow()
    # One statement, so that two first saves at once cannot both insert.
    db.execute(
        insert_for(db, SynonymList)
        .values(id=ROW, text=text, updated_at=now)
        .on_conflict_do_update(index_elements=["id"], set_={"text": text, "updated_at": now})
    )
    synonyms = Synonyms.parse(text)
    if text != before:
        audit.record(
            db,
            "search_synonyms_changed",
            actor_id=admin.id,
            object_type="search_synonyms",
            object_id=ROW,
            before=SHIPPED if before is None else before,
            after=text,
        )
    db.flush()
    return synonyms


def reset(db: Session, admin: Account) -> None:
    """Back to the shipped list (audited, if an edited one was stored)."""
    row = db.get(SynonymList, ROW)
    if row is None:
        return
    audit.record(
        db,
        "search_synonyms_reset",
        actor_id=admin.id,
        object_type="search_synonyms",
        object_id=ROW,
        before=row.text,
        after=SHIPPED,
    )
    db.delete(row)
    db.flush()
