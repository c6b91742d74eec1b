"""Circles (Kreise) and the wider visibility of Vorhaben (issue 19).

`circles` and `circle_memberships` (role, state: requested, invited, active; one row per
circle and account); `vorhaben.circle_id` names the circle a Vorhaben is shared with. The
visibility column is a plain string column (no native enum, no CHECK), so its new values
`partners` and `circle` need no change to it.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "circles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "network",
                "working_group",
                "region",
                name="circle_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_circles_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circles")),
    )
    op.create_table(
        "circle_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("member", "moderator", name="circle_role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "requested", "invited", "active", name="circle_state", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_circle_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_circle_memberships_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["accounts.id"],
            name=op.f("fk_circle_memberships_invited_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_memberships")),
        sa.UniqueConstraint(
            "circle_id", "account_id", name=op.f("uq_circle_memberships_circle_id_account_id")
        ),
    )
    with op.batch_alter_table("circle_memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_circle_memberships_account_id_state", ["account_id", "state"], unique=False
        )

    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.add_column(sa.Column("circle_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_vorhaben_circle_id"), ["circle_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_vorhaben_circle_id_circles"), "circles", ["circle_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_vorhaben_circle_id_circles"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_vorhaben_circle_id"))
        batch_op.drop_column("circle_id")

    with op.batch_alter_table("circle_memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_circle_memberships_account_id_state")

    op.drop_table("circle_memberships")
    op.drop_table("circles")
