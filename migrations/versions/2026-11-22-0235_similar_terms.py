"""Similar Vorhaben by significant words; search entries indexed by Vorhaben and kind.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 02:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vorhaben_terms",
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_terms_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "vorhaben_id", name=op.f("pk_vorhaben_terms")),
    )
    op.create_index("ix_vorhaben_terms_vorhaben_id", "vorhaben_terms", ["vorhaben_id"])
    # Plain index statements: a batch copy of this table would lose SQLite's FTS triggers.
    op.drop_index("ix_search_entries_vorhaben_id", table_name="search_entries")
    op.create_index("ix_search_entries_vorhaben_id_kind", "search_entries", ["vorhaben_id", "kind"])
    # The terms of existing Vorhaben are filled by 2026-12-06-0720_similar_analyzer.py, with
    # the analyzer that replaced this revision's word list.


def downgrade() -> None:
    op.drop_index("ix_search_entries_vorhaben_id_kind", table_name="search_entries")
    op.create_index("ix_search_entries_vorhaben_id", "search_entries", ["vorhaben_id"])
    op.drop_index("ix_vorhaben_terms_vorhaben_id", table_name="vorhaben_terms")
    op.drop_table("vorhaben_terms")
