"""Topics (issue 19, part 2): discussions in a circle that belong to no Vorhaben; a
comment belongs to a Vorhaben or to a topic (a CHECK keeps exactly one).

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-06 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts.id"],
            name=op.f("fk_topics_author_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["circles.id"],
            name=op.f("fk_topics_circle_id_circles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topics_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_topics_circle_id_last_activity_at",
            ["circle_id", "last_activity_at"],
            unique=False,
        )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_comments_topic_id"), ["topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_topic_id_topics"),
            "topics",
            ["topic_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            "vorhaben_or_topic",
            "(vorhaben_id IS NULL AND topic_id IS NOT NULL)"
            " OR (vorhaben_id IS NOT NULL AND topic_id IS NULL)",
        )


def downgrade() -> None:
    op.execute("DELETE FROM comments WHERE topic_id IS NOT NULL")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_comments_vorhaben_or_topic"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_comments_topic_id_topics"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_comments_topic_id"))
        batch_op.alter_column("vorhaben_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("topic_id")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_circle_id_last_activity_at")
        batch_op.drop_index(batch_op.f("ix_topics_author_id"))
    op.drop_table("topics")
