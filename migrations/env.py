"""Alembic environment: the app's metadata, batch mode on SQLite, URL from the settings."""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401 - registers every table on the metadata
from app.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("ALLMENDE_DATABASE_URL", "sqlite:///var/allmende.db")


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave database-specific search machinery alone: FTS5 tables (SQLite), the generated
    tsvector column and its GIN indexes (PostgreSQL, one of them over the Vorhaben entries
    alone), the Vorhaben entries' titles kept by a trigger (PostgreSQL), trigram indexes of
    older revisions."""
    return not (
        name
        and (
            name.startswith("search_fts")
            or name.endswith("_trgm")
            or name
            in {
                "search_vector",
                "ix_search_entries_vector",
                "ix_search_entries_title_vector",
                "ix_search_entries_vorhaben_vector",
                "search_titles",
                "ix_search_titles_title",
                "search_own",
                "ix_search_own_own",
            }
        )
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.begin() as new_connection:
        _configure(new_connection)
        context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
