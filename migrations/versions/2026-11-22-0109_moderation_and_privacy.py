"""Content moderation: reports; hidden, locked and review-requested Vorhaben and comments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:09:32.886329
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "target_type",
            sa.Enum("vorhaben", "comment", name="report_target", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_municipality_id", sa.Integer(), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "spam",
                "offensive",
                "personal_data",
                "confidential",
                "wrong",
                "other",
                name="report_category",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open", "dismissed", "actioned", name="report_state", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name=op.f("fk_reports_decided_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["accounts.id"],
            name=op.f("fk_reports_reporter_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_reports_reporter_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_reports_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "target_type",
            "target_id",
            "reporter_id",
            name=op.f("uq_reports_target_type_target_id_reporter_id"),
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_state_created_at", ["state", "created_at"], unique=False)
        batch_op.create_index(
            "ix_reports_target_type_target_id", ["target_type", "target_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_vorhaben_id"), ["vorhaben_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("hidden_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("review_requested_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("hidden_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("review_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.drop_column("locked_at")
        batch_op.drop_column("review_requested_at")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("review_requested_at")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_vorhaben_id"))
        batch_op.drop_index("ix_reports_target_type_target_id")
        batch_op.drop_index("ix_reports_state_created_at")

    op.drop_table("reports")
