"""Rows of a subquery as one JSON value, so that a page's statement can carry the related rows
of several tables as columns (a Vorhaben's dates and files on its page, a member's next dates
on the dashboard) instead of one statement for each. SQLite and PostgreSQL spell the JSON
functions differently; the statement is written once.

The order of the rows inside the value is not guaranteed by either database (SQLite before
3.44 has no ORDER BY inside an aggregate): whoever reads the value sorts it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, func, literal_column, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _row(FunctionElement[Any]):  # noqa: N801 - an SQL function's name
    """One row's values as a JSON array."""

    inherit_cache = True
    name = "json_row"


class _rows(FunctionElement[Any]):  # noqa: N801 - an SQL function's name
    """An aggregate: the JSON arrays of a group's rows as one JSON array."""

    inherit_cache = True
    name = "json_rows"


@compiles(_row)
def _row_sqlite(element: _row, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array({compiler.process(element.clauses, **kw)})"


@compiles(_row, "postgresql")
def _row_postgresql(element: _row, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


@compiles(_rows)
def _rows_sqlite(element: _rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_rows, "postgresql")
def _rows_postgresql(element: _rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg({compiler.process(element.clauses, **kw)})"


def json_rows(query: Select[*tuple[Any, ...]], *, limited: bool = False) -> ColumnElement[Any]:
    """A scalar subquery: the rows of `query` as a JSON array of arrays (its columns in
    order; `[]` for none), read back as Python lists. It correlates like any subquery (name
    the enclosing statement's columns in its conditions); its ORDER BY is dropped. A
    `limited` query (an order and a limit choose its rows) runs as a derived table of its
    own, which must not name the enclosing statement."""
    if limited:
        rows = query.subquery()
        whole = select(_whole(*rows.c))
    else:
        whole = query.order_by(None).with_only_columns(
            _whole(*query.selected_columns), maintain_column_froms=True
        )
    return type_coerce(whole.scalar_subquery(), JSON)


def _whole(*columns: Any) -> ColumnElement[Any]:
    return func.coalesce(_rows(_row(*columns)), literal_column("'[]'"))


def stamp(value: str) -> dt.datetime:
    """A timestamp from a JSON value (stored in UTC: SQLite writes it without an offset,
    PostgreSQL with one), timezone-aware in UTC."""
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def maybe_stamp(value: str | None) -> dt.datetime | None:
    """stamp(), or None for NULL."""
    return None if value is None else stamp(value)
