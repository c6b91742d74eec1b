"""Co-editors of a Vorhaben (issue 19, part 3): members of its partner municipalities whom
its owners let edit it (app.vorhaben.co_editors).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vorhaben_co_editors",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_co_editors_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_co_editors_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_co_editors_added_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", "account_id", name=op.f("pk_vorhaben_co_editors")),
    )
    op.create_index(
        op.f("ix_vorhaben_co_editors_account_id"),
        "vorhaben_co_editors",
        ["account_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_vorhaben_co_editors_account_id"), table_name="vorhaben_co_editors")
    op.drop_table("vorhaben_co_editors")
