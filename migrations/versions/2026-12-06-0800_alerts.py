"""Alerts (issue 20, part 4): a member follows a field of action, a tag, a municipality, a
Land or a Kreis (kind + key; app.notifications.models.Alert). The new notification kinds
(alert_new, alert_stage) need no change: kinds are stored as plain strings.

Revision ID: 0023
Revises: 0019
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "field",
                "tag",
                "municipality",
                "land",
                "kreis",
                name="alert_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_alerts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "kind", "key", name=op.f("pk_alerts")),
    )
    op.create_index("ix_alerts_kind_key", "alerts", ["kind", "key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alerts_kind_key", table_name="alerts")
    op.drop_table("alerts")
