"""Similar Vorhaben on the German analyzer, the Vorhaben's scope on its index rows, and the
fingerprint the index was built with (issue 18, items 2, 3 and 5).

`vorhaben_terms` is built again: the analyzer's tokens of title, tags, summary and
description, each with its field's weight (app.search.similar.stored_terms), and the
Vorhaben's scope. `search_entries` gains `scope` too: a copy of the Vorhaben's visibility
("hidden" while moderation hides it; app.vorhaben.visibility.scope_of), kept exact by the
writing transaction, so that search and similar Vorhaben need not join every Vorhaben.
`search_index_state` records app.search.bulk.fingerprint(), so that `allmende db upgrade`
rebuilds the index when the analyzer changes.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Needs the app's analyzer only when run (as 2026-12-06-0500_word_index.py).
    from app.search import bulk  # noqa: PLC0415

    # A plain ALTER (no batch copy): a copy of search_entries would lose SQLite's FTS triggers.
    op.add_column(
        "search_entries",
        sa.Column("scope", sa.String(length=20), nullable=False, server_default="unknown"),
    )
    op.execute(
        f"UPDATE search_entries SET scope = (SELECT {bulk.SCOPE_SQL} FROM vorhaben v "  # noqa: S608
        "WHERE v.id = search_entries.vorhaben_id)"
    )
    op.drop_table("vorhaben_terms")
    op.create_table(
        "vorhaben_terms",
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False, server_default="1"),
        sa.Column("scope", sa.String(length=20), nullable=False, server_default="unknown"),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_terms_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "vorhaben_id", name=op.f("pk_vorhaben_terms")),
    )
    op.create_index("ix_vorhaben_terms_vorhaben_id", "vorhaben_terms", ["vorhaben_id"])
    op.create_index(
        "ix_vorhaben_terms_term_scope",
        "vorhaben_terms",
        ["term", "scope", "vorhaben_id", "weight"],
    )
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )
    bind = op.get_bind()
    bulk.reindex_terms(bind, commit=False)
    # The entries' tokens are the analyzer's of 2026-12-06-0500_word_index.py, this code's.
    bulk.record_fingerprint(bind, bulk.fingerprint())
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE vorhaben_terms")
        op.execute("ANALYZE search_entries")


def downgrade() -> None:
    op.drop_table("search_index_state")
    # The analyzer's tokens stay (the earlier finder reads them as words); weight and scope go,
    # and first the index that names them (SQLite's batch copy would recreate it).
    op.drop_index("ix_vorhaben_terms_term_scope", table_name="vorhaben_terms")
    with op.batch_alter_table("vorhaben_terms", schema=None) as batch_op:
        batch_op.drop_column("scope")
        batch_op.drop_column("weight")
    # A plain ALTER (SQLite 3.35+ drops a column in place; a batch copy would lose the FTS
    # triggers).
    op.execute("ALTER TABLE search_entries DROP COLUMN scope")
