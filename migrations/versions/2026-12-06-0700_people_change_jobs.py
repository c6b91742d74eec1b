"""People change jobs, and local contact persons (issue 19, parts 4 and 6).

`membership_changes` holds a member's request to change municipality and/or position and
the moderators' decision; `accounts.local_contact` marks the contact person
("Ansprechperson") of a municipality, who may decide applications from it.

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("local_contact", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "membership_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_municipality_id", sa.Integer(), nullable=True),
        sa.Column("to_municipality_id", sa.Integer(), nullable=True),
        sa.Column("from_position", sa.String(length=200), nullable=True),
        sa.Column("to_position", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_membership_changes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name=op.f("fk_membership_changes_decided_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_membership_changes_from_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["to_municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_membership_changes_to_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_changes")),
    )
    op.create_index(op.f("ix_membership_changes_account_id"), "membership_changes", ["account_id"])
    op.create_index(
        "ix_membership_changes_state_created_at", "membership_changes", ["state", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_membership_changes_state_created_at", table_name="membership_changes")
    op.drop_index(op.f("ix_membership_changes_account_id"), table_name="membership_changes")
    op.drop_table("membership_changes")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("local_contact")
