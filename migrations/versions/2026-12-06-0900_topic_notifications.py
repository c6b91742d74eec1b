"""Notifications about a circle's topics (issue 19, part 2): a notification names a
Vorhaben or a topic (notifications.vorhaben_id nullable, notifications.topic_id).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_notifications_topic_id"), ["topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_topic_id_topics"),
            "topics",
            ["topic_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE vorhaben_id IS NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notifications_topic_id_topics"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notifications_topic_id"))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("topic_id")
