"""The read cache is gone (its token table and the index it asked after every write); a
session's auth_time may be unknown (a provider that sends none never gives a fresh sign-in).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_vorhaben_hidden_author_id", table_name="vorhaben")
    op.drop_table("read_generation")
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("auth_time", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE sessions SET auth_time = created_at WHERE auth_time IS NULL")
    with op.batch_alter_table("sessions") as batch:
        batch.alter_column("auth_time", existing_type=sa.DateTime(timezone=True), nullable=False)
    table = op.create_table(
        "read_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])
    op.create_index(
        "ix_vorhaben_hidden_author_id",
        "vorhaben",
        ["author_id"],
        postgresql_where=sa.text("hidden_at IS NOT NULL"),
        sqlite_where=sa.text("hidden_at IS NOT NULL"),
    )
