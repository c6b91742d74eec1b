"""The search index: one row per Vorhaben and per comment, text folded for German.

SQLite mirrors it into an FTS5 trigram table by triggers; PostgreSQL indexes it with
pg_trgm GIN indexes. Services write these rows in the same transaction as the content.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, str_enum


class EntryKind(enum.StrEnum):
    VORHABEN = "vorhaben"
    COMMENT = "comment"


class SearchEntry(Base):
    __tablename__ = "search_entries"
    # The database-specific indexes (FTS5 table and triggers on SQLite, pg_trgm GIN indexes
    # on PostgreSQL) live in the migration only; migrations/env.py keeps them out of drift
    # checks.
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        # The entries of one Vorhaben by kind: its matching comments in a search.
        Index("ix_search_entries_vorhaben_id_kind", "vorhaben_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "search_entry_kind", length=10))
    ref_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")


class VorhabenTerm(Base):
    """One significant word of one Vorhaben, for similar Vorhaben (app.search.similar)."""

    __tablename__ = "vorhaben_terms"
    __table_args__ = (Index("ix_vorhaben_terms_vorhaben_id", "vorhaben_id"),)

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), primary_key=True
    )
