"""Dates of circles and of topics (issue 20, part 6): `termine.circle_id` and
`termine.topic_id`, and the check that exactly one owner is set widens to them; a
notification may name a date (`notifications.termin_id`: a new or changed date); an
attachment belongs to a Vorhaben or to a topic (`attachments.topic_id`, `vorhaben_id`
nullable since 0030; check `ck_attachments_one_scope` now: exactly one of a Vorhaben, a topic,
a message).

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-06 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE = "(CASE WHEN {} IS NOT NULL THEN 1 ELSE 0 END)"
OLD_OWNER_SQL = ONE.format("vorhaben_id") + " = 1"
OWNER_SQL = " + ".join(ONE.format(c) for c in ("vorhaben_id", "circle_id", "topic_id")) + " = 1"
SCOPE_SQL = " + ".join(ONE.format(c) for c in ("vorhaben_id", "topic_id", "message_id")) + " = 1"
MESSAGE_SCOPE_SQL = (  # 0030's check
    "(vorhaben_id IS NULL AND message_id IS NOT NULL)"
    " OR (vorhaben_id IS NOT NULL AND message_id IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("termine", schema=None) as batch_op:
        batch_op.add_column(sa.Column("circle_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_termine_circle_id"), ["circle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_termine_topic_id"), ["topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_termine_circle_id_circles"),
            "circles",
            ["circle_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_termine_topic_id_topics"),
            "topics",
            ["topic_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_constraint(batch_op.f("ck_termine_one_owner"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_termine_one_owner"), sa.text(OWNER_SQL))
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("termin_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_termin_id"), ["termin_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_termin_id_termine"),
            "termine",
            ["termin_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_attachments_one_scope"), type_="check")
        batch_op.create_index(batch_op.f("ix_attachments_topic_id"), ["topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attachments_topic_id_topics"),
            "topics",
            ["topic_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(batch_op.f("ck_attachments_one_scope"), sa.text(SCOPE_SQL))


def downgrade() -> None:
    # A topic's files go (their stored copies are left to the maintenance sweep).
    op.execute("DELETE FROM attachments WHERE topic_id IS NOT NULL")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_attachments_one_scope"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_attachments_topic_id_topics"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attachments_topic_id"))
        batch_op.drop_column("topic_id")
        batch_op.create_check_constraint(
            batch_op.f("ck_attachments_one_scope"), sa.text(MESSAGE_SCOPE_SQL)
        )
    op.execute("DELETE FROM notifications WHERE termin_id IS NOT NULL")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_termin_id_termine"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_notifications_termin_id"))
        batch_op.drop_column("termin_id")
    op.execute("DELETE FROM termine WHERE vorhaben_id IS NULL")
    with op.batch_alter_table("termine", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_termine_one_owner"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_termine_one_owner"), sa.text(OLD_OWNER_SQL))
        batch_op.drop_constraint(batch_op.f("fk_termine_topic_id_topics"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_termine_circle_id_circles"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_termine_topic_id"))
        batch_op.drop_index(batch_op.f("ix_termine_circle_id"))
        batch_op.drop_column("topic_id")
        batch_op.drop_column("circle_id")
