"""A topic's discussion is paged as a Vorhaben's (keyset over time): comments get the index
(topic_id, created_at) that (vorhaben_id, created_at) is for a Vorhaben, in place of the
one on topic_id alone (its leading column serves the same lookups).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 10:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_comments_topic_id_created_at", "comments", ["topic_id", "created_at"], unique=False
    )
    op.drop_index("ix_comments_topic_id", table_name="comments")


def downgrade() -> None:
    op.create_index("ix_comments_topic_id", "comments", ["topic_id"], unique=False)
    op.drop_index("ix_comments_topic_id_created_at", table_name="comments")
