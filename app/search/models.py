"""The search index: one row per Vorhaben and per comment, the analyzer's tokens per
ranking weight (app.search.index).

SQLite mirrors the token columns into an FTS5 table (unicode61) by triggers; PostgreSQL
keeps a generated, weighted `tsvector` column with a GIN index. Services write these rows
in the same transaction as the content.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db import Base, str_enum


class EntryKind(enum.StrEnum):
    VORHABEN = "vorhaben"
    COMMENT = "comment"


class SearchEntry(Base):
    __tablename__ = "search_entries"
    # The database-specific parts (FTS5 table and triggers on SQLite; the generated
    # `search_vector` column and the GIN indexes on PostgreSQL) live in the migration only;
    # migrations/env.py keeps them out of drift checks.
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        # The entries of one Vorhaben by kind: its matching comments in a search.
        Index("ix_search_entries_vorhaben_id_kind", "vorhaben_id", "kind"),
        # The newest entries of a kind: for a common word, PostgreSQL walks these backwards
        # and stops at the candidate limit instead of reading every match from GIN.
        Index("ix_search_entries_kind_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(ForeignKey("vorhaben.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "search_entry_kind", length=10))
    ref_id: Mapped[int] = mapped_column(Integer)
    # A copy of the Vorhaben's scope (app.vorhaben.visibility.scope_of), kept exact by the
    # transaction that changes it, so that lookups need not join every Vorhaben. Unset, it
    # is "unknown": restricted, the Vorhaben row decides (safe, only slower).
    scope: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    # The analyzer's tokens joined by spaces: title (weight A); tags, fields of action and
    # summary (B); description and lessons learned (C); a comment (D).
    tokens_a: Mapped[str] = mapped_column(Text, default="")
    tokens_b: Mapped[str] = mapped_column(Text, default="")
    tokens_c: Mapped[str] = mapped_column(Text, default="")
    tokens_d: Mapped[str] = mapped_column(Text, default="")


class VorhabenTerm(Base):
    """One telling token of one Vorhaben, for similar Vorhaben (app.search.similar), with the
    weight of the most important field it occurs in (title 3, tags and summary 2,
    description 1)."""

    __tablename__ = "vorhaben_terms"
    __table_args__ = (
        Index("ix_vorhaben_terms_vorhaben_id", "vorhaben_id"),
        # Covers the lookups (how many use a token, the scores): no table row is read.
        Index("ix_vorhaben_terms_term_scope", "term", "scope", "vorhaben_id", "weight"),
    )

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    vorhaben_id: Mapped[int] = mapped_column(
        ForeignKey("vorhaben.id", ondelete="CASCADE"), primary_key=True
    )
    weight: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    scope: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")


class IndexState(Base):
    """What the stored index (search entries and similar-Vorhaben terms) was built with:
    one row, the fingerprint of the analyzer and of the terms (app.search.bulk.fingerprint).
    A different fingerprint in the code means the index must be built again."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SynonymList(Base):
    """The synonym list as administrators edited it (app.search.synonym_list): one row, the
    text in the form Synonyms.parse() reads. No row: the shipped default list."""

    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
