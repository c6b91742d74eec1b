"""Export content partners can use (issue 21): the AI record of a Vorhaben.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_ai_records()


def downgrade() -> None:
    with op.batch_alter_table("vorhaben_ai_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_ai_records_risk_class"))
    op.drop_table("vorhaben_ai_records")


def _create_ai_records() -> None:
    op.create_table(
        "vorhaben_ai_records",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("responsible_body", sa.String(length=300), nullable=False),
        sa.Column("data_used", sa.Text(), nullable=False),
        sa.Column("data_origin", sa.Text(), nullable=False),
        sa.Column("human_oversight", sa.Text(), nullable=False),
        sa.Column(
            "risk_class",
            sa.Enum(
                "minimal",
                "limited",
                "high",
                "prohibited",
                name="ai_risk_class",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("risk_explanation", sa.Text(), nullable=False),
        sa.Column("quality_fairness", sa.Text(), nullable=False),
        sa.Column("energy_footprint", sa.Text(), nullable=False),
        sa.Column("reuse_potential", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_ai_records_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", name=op.f("pk_vorhaben_ai_records")),
    )
    with op.batch_alter_table("vorhaben_ai_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_ai_records_risk_class"), ["risk_class"], unique=False
        )
