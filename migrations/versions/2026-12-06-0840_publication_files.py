"""Attachments in a publication (issue 20, part 2): the Vorhaben's own files the owners
chose to publish, each with a licence.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publication_files",
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_files_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_publication_files_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "publication_id", "attachment_id", name=op.f("pk_publication_files")
        ),
    )
    op.create_index(
        op.f("ix_publication_files_attachment_id"), "publication_files", ["attachment_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_publication_files_attachment_id"), table_name="publication_files")
    op.drop_table("publication_files")
