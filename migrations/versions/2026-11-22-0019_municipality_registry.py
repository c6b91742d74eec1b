"""The municipality registry (Destatis GV100AD): Länder down to Gemeinden.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:19:27.862754
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ags", sa.String(length=12), nullable=False),
        sa.Column("ars", sa.String(length=12), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "land",
                "regierungsbezirk",
                "region",
                "kreis",
                "gemeindeverband",
                "gemeinde",
                name="municipality_level",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_folded", sa.String(length=200), nullable=False),
        sa.Column("seat", sa.String(length=200), nullable=True),
        sa.Column("kind_code", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("land_id", sa.Integer(), nullable=True),
        sa.Column("kreis_id", sa.Integer(), nullable=True),
        sa.Column("area_ha", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("postcode", sa.String(length=5), nullable=True),
        sa.Column("postcode_unique", sa.Boolean(), nullable=True),
        sa.Column("gebietsstand", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "digitalisation_type",
            sa.Enum(
                "bedaechtige",
                "optimierer",
                "serviceorientierte",
                "community_manager",
                name="digitalisation_type",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kreis_id"],
            ["municipalities.id"],
            name=op.f("fk_municipalities_kreis_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["land_id"],
            ["municipalities.id"],
            name=op.f("fk_municipalities_land_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["municipalities.id"],
            name=op.f("fk_municipalities_parent_id_municipalities"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipalities")),
        sa.UniqueConstraint("ags", name=op.f("uq_municipalities_ags")),
        sa.UniqueConstraint("ars", name=op.f("uq_municipalities_ars")),
    )
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_municipalities_kreis_id"), ["kreis_id"], unique=False)
        batch_op.create_index("ix_municipalities_land_id_level", ["land_id", "level"], unique=False)
        batch_op.create_index(
            "ix_municipalities_level_active_name", ["level", "active", "name_folded"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_municipalities_parent_id"), ["parent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("municipalities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_municipalities_parent_id"))
        batch_op.drop_index("ix_municipalities_level_active_name")
        batch_op.drop_index("ix_municipalities_land_id_level")
        batch_op.drop_index(batch_op.f("ix_municipalities_kreis_id"))

    op.drop_table("municipalities")
