"""The read cache's token: changed by every committing transaction that wrote shared data;
an index for the authors of hidden Vorhaben.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 00:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "read_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_generation")),
    )
    # Random, not a constant: two databases never share a token (nor a cached value).
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])
    # Who wrote a hidden Vorhaben is asked after every write (visibility.audience).
    op.create_index(
        "ix_vorhaben_hidden_author_id",
        "vorhaben",
        ["author_id"],
        postgresql_where=sa.text("hidden_at IS NOT NULL"),
        sqlite_where=sa.text("hidden_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_vorhaben_hidden_author_id", table_name="vorhaben")
    op.drop_table("read_generation")
