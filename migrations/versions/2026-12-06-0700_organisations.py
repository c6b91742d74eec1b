"""Organisations beside the Destatis registry: every register entry gets a country
(ISO 3166-1 alpha-2; the registry's are all `DE`). Organisations are rows of the level
`organisation` with a key `org-N` and their type in `kind_code` (901 to 903); the level is
a plain string column, so the new value needs no change of the schema. A downgrade keeps
the organisations' rows (members and Vorhaben refer to them); code before this revision
does not know their level, so delete or reassign them before running it.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a batch operation would rebuild the table on
    # SQLite, which every member, Vorhaben and application refers to.
    op.add_column(
        "municipalities",
        sa.Column("country", sa.String(length=2), server_default="DE", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("municipalities", "country")  # SQLite 3.35 and later drop it in place
