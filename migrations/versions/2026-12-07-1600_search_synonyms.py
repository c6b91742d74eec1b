"""The synonym list administrators edit (issue 18, item 1): `search_synonyms`, one row with
the list's text. Without a row the search uses the list shipped in app/search/synonyms.py.
Synonyms apply only when a query is analyzed, so an edited list needs no new index.

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
    )


def downgrade() -> None:
    op.drop_table("search_synonyms")
