"""Mentions (issue 20, part 3): who was named in which text, and whether they were told;
signals with a message (part 5): a note, a linked Vorhaben of the signalling municipality
and the owners' reply.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mentions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        sa.UniqueConstraint(
            "object_type",
            "object_id",
            "account_id",
            name=op.f("uq_mentions_object_type_object_id_account_id"),
        ),
    )
    op.create_index(op.f("ix_mentions_account_id"), "mentions", ["account_id"])
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("linked_vorhaben_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reply", sa.Text(), nullable=True))
        batch.add_column(sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("replied_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_signals_linked_vorhaben_id_vorhaben"),
            "vorhaben",
            ["linked_vorhaben_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_signals_replied_by_id_accounts"),
            "accounts",
            ["replied_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.drop_constraint(op.f("fk_signals_replied_by_id_accounts"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_signals_linked_vorhaben_id_vorhaben"), type_="foreignkey")
        for column in ("replied_by_id", "replied_at", "reply", "linked_vorhaben_id", "note"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_mentions_account_id"), table_name="mentions")
    op.drop_table("mentions")
