"""Dates ("Termine") of Vorhaben and the personal calendar feed (issue 20, part 6).

A date names its owner by one nullable foreign key per kind of owner, with a check that
exactly one is set; circles and topics add their column and widen the check
(app.dates.models, docs/dates.md).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("treffen", "workshop", "foerderfrist", "sonstiges")


def upgrade() -> None:
    op.create_table(
        "termine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="termin_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN vorhaben_id IS NOT NULL THEN 1 ELSE 0 END) = 1",
            name=op.f("ck_termine_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts.id"],
            name=op.f("fk_termine_author_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_termine_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_termine")),
    )
    for column in ("vorhaben_id", "starts_at", "author_id"):
        op.create_index(op.f(f"ix_termine_{column}"), "termine", [column])
    op.create_table(
        "calendar_feeds",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_calendar_feeds_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    op.drop_table("termine")
