"""Files in direct messages (issue 20): attachments.message_id and .conversation_id (the
scope of the limit), attachments.vorhaben_id nullable, a check that exactly one of
vorhaben_id and message_id is set.

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("conversation_id", sa.Integer(), nullable=True))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_attachments_message_id"), ["message_id"])
        batch_op.create_index(batch_op.f("ix_attachments_conversation_id"), ["conversation_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_message_id_messages"),
            "messages",
            ["message_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_conversation_id_conversations"),
            "conversations",
            ["conversation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            "one_scope",
            "(vorhaben_id IS NULL AND message_id IS NOT NULL)"
            " OR (vorhaben_id IS NOT NULL AND message_id IS NULL)",
        )


def downgrade() -> None:
    op.execute("DELETE FROM attachments WHERE vorhaben_id IS NULL")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attachments_one_scope"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_attachments_conversation_id_conversations"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_attachments_message_id_messages"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_attachments_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_attachments_message_id"))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("conversation_id")
        batch_op.drop_column("message_id")
