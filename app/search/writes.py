"""The index's writes inside a content transaction, as few and as cheap as they can be
(issue 18: an ordinary write updates the index in < 5 ms).

A Vorhaben's index rows (its search entry, its similar-Vorhaben terms) and the labels of
its fields of action are read in one statement; what differs is written in one more on
PostgreSQL (the entry's upsert and the removal of gone terms as data-modifying CTEs of the
terms' upsert), in a few in-process ones on SQLite; nothing when the analyzed text did not
change. The statements are built once per database with bound parameters: building and
compiling them per write (a multi-row VALUES is a new statement for every row count) cost
more than running them (bench/similar.py, docs/search.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    SmallInteger,
    String,
    any_,
    bindparam,
    cast,
    delete,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.search.models import EntryKind, SearchEntry, VorhabenTerm
from app.vorhaben.models import FieldOfAction, VorhabenField

Columns = dict[str, str]
COLUMNS = ("tokens_a", "tokens_b", "tokens_c", "tokens_d")
_SEP = "\x1f"  # between the parts read back as one value (tokens are [a-z0-9 ]+)


@dataclass(frozen=True)
class Stored:
    """What the index holds for a Vorhaben, and the labels of its fields of action."""

    fields: list[str]  # in the order of their ids
    entry: tuple[str, ...] | None  # tokens_a, tokens_b, tokens_c, scope
    terms: dict[str, int]


def _read() -> Any:
    vorhaben_id = bindparam("vorhaben_id", type_=Integer)
    label = cast(FieldOfAction.id, String) + ":" + FieldOfAction.label
    fields = (
        select(func.aggregate_strings(label, _SEP))
        .join(VorhabenField, VorhabenField.field_id == FieldOfAction.id)
        .where(VorhabenField.vorhaben_id == vorhaben_id)
        .scalar_subquery()
    )
    tokens = SearchEntry.tokens_a + _SEP + SearchEntry.tokens_b + _SEP + SearchEntry.tokens_c
    entry = (
        select(tokens + _SEP + SearchEntry.scope)
        .where(SearchEntry.kind == EntryKind.VORHABEN, SearchEntry.ref_id == vorhaben_id)
        .scalar_subquery()
    )
    term = VorhabenTerm.term + ":" + cast(VorhabenTerm.weight, String)
    terms = (
        select(func.aggregate_strings(term, _SEP))
        .where(VorhabenTerm.vorhaben_id == vorhaben_id)
        .scalar_subquery()
    )
    return select(fields.label("fields"), entry.label("entry"), terms.label("terms"))


_READ = _read()


def read(db: Session, vorhaben_id: int) -> Stored:
    """One statement: the labels of a Vorhaben's fields of action (by id: the seed writes
    them alike), its entry's token columns and scope, its similar-Vorhaben terms."""
    row = db.execute(_READ, {"vorhaben_id": vorhaben_id}).one()
    fields = sorted(
        (int(key), label)
        for key, label in (item.split(":", 1) for item in (row.fields or "").split(_SEP) if item)
    )
    terms = {
        term: int(weight)
        for term, weight in (item.split(":", 1) for item in (row.terms or "").split(_SEP) if item)
    }
    entry = tuple(row.entry.split(_SEP)) if row.entry is not None else None
    return Stored([label for _, label in fields], entry, terms)


@dataclass(frozen=True)
class _Statements:
    entry: Any  # upsert one entry, written only where a column differs
    terms: Any  # PostgreSQL: the whole write of a Vorhaben; SQLite: upsert one term
    gone: Any  # SQLite: delete one term (PostgreSQL: part of `terms`)


@cache
def _statements(dialect: str) -> _Statements:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    entry = insert(SearchEntry).values(
        kind=bindparam("kind"),
        ref_id=bindparam("ref_id"),
        vorhaben_id=bindparam("vorhaben_id"),
        scope=bindparam("scope"),
        **{name: bindparam(name) for name in COLUMNS},
    )
    changes = {name: entry.excluded[name] for name in (*COLUMNS, "scope")}
    table = SearchEntry.__table__
    differs = or_(*(table.c[name].is_distinct_from(value) for name, value in changes.items()))
    entry = entry.on_conflict_do_update(
        index_elements=["kind", "ref_id"], set_=changes, where=differs
    )
    of_vorhaben = VorhabenTerm.vorhaben_id == bindparam("vorhaben_id")
    if dialect != "postgresql":
        term = sqlite.insert(VorhabenTerm)
        term = term.on_conflict_do_update(
            index_elements=["term", "vorhaben_id"], set_={"weight": term.excluded.weight}
        )
        gone = delete(VorhabenTerm).where(of_vorhaben, VorhabenTerm.term == bindparam("term"))
        return _Statements(entry, term, gone)
    given = (
        func.unnest(
            bindparam("terms", type_=postgresql.ARRAY(String)),
            bindparam("weights", type_=postgresql.ARRAY(SmallInteger)),
        )
        .table_valued("term", "weight")
        .render_derived(name="given")
    )
    rows = select(
        given.c.term,
        bindparam("vorhaben_id", type_=Integer),
        given.c.weight,
        bindparam("scope", type_=String),
    )
    terms = postgresql.insert(VorhabenTerm).from_select(
        ["term", "vorhaben_id", "weight", "scope"], rows
    )
    terms = terms.on_conflict_do_update(
        index_elements=["term", "vorhaben_id"], set_={"weight": terms.excluded.weight}
    )
    gone = delete(VorhabenTerm).where(
        of_vorhaben, VorhabenTerm.term == any_(bindparam("gone", type_=postgresql.ARRAY(String)))
    )
    whole = terms.add_cte(entry.cte("entry")).add_cte(gone.cte("gone"))
    return _Statements(entry, whole, gone)


def write_vorhaben(
    db: Session,
    vorhaben_id: int,
    scope: str,
    columns: Columns,
    *,
    entry_changed: bool,
    gone: list[str],
    changed: dict[str, int],
) -> None:
    """Write what differs of a Vorhaben's index rows: its entry (when changed), the terms
    it no longer has, its new and reweighed terms."""
    if not entry_changed and not gone and not changed:
        return
    connection = db.connection()
    dialect = connection.dialect.name
    statements = _statements(dialect)
    entry = _entry_params(EntryKind.VORHABEN, vorhaben_id, vorhaben_id, scope, columns)
    if dialect == "postgresql":
        # One round trip; an unchanged entry is left alone by the upsert's condition.
        params = {**entry, "gone": gone, "terms": list(changed), "weights": list(changed.values())}
        connection.execute(statements.terms, params)
    else:
        if entry_changed:
            connection.execute(statements.entry, entry)
        if gone:
            rows = [{"vorhaben_id": vorhaben_id, "term": term} for term in gone]
            connection.execute(statements.gone, rows)
        if changed:
            rows = [
                {"term": term, "vorhaben_id": vorhaben_id, "weight": weight, "scope": scope}
                for term, weight in changed.items()
            ]
            connection.execute(statements.terms, rows)
    if entry_changed:
        forget(db, EntryKind.VORHABEN, vorhaben_id)


def write_entry(
    db: Session, kind: EntryKind, ref_id: int, vorhaben_id: int, scope: str, columns: Columns
) -> None:
    """Insert an entry, or update it where a column differs (one statement; an unchanged
    row is not written: no dead row on PostgreSQL, no FTS5 update on SQLite)."""
    connection = db.connection()
    statement = _statements(connection.dialect.name).entry
    connection.execute(statement, _entry_params(kind, ref_id, vorhaben_id, scope, columns))
    forget(db, kind, ref_id)


def _entry_params(
    kind: EntryKind, ref_id: int, vorhaben_id: int, scope: str, columns: Columns
) -> dict[str, Any]:
    return {"kind": kind, "ref_id": ref_id, "vorhaben_id": vorhaben_id, "scope": scope, **columns}


def forget(db: Session, kind: EntryKind, ref_id: int) -> None:
    """Expire a loaded copy of an entry written past the ORM, so the session reads it anew."""
    for item in list(db.identity_map.values()):
        if isinstance(item, SearchEntry):
            loaded = inspect(item).dict
            if loaded.get("kind") == kind and loaded.get("ref_id") == ref_id:
                db.expire(item)
