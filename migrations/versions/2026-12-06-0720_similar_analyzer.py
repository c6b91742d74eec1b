"""Similar Vorhaben on the German analyzer: `vorhaben_terms` holds the analyzer's tokens of
title, tags, summary and description, each with its field's weight (issue 18, item 5).

Every Vorhaben's terms are computed again as the application computes them
(app.search.similar.stored_terms).

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-06 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    # Plain statements: a batch copy of the table is not needed to add a column.
    op.add_column(
        "vorhaben_terms",
        sa.Column("weight", sa.SmallInteger(), nullable=False, server_default="1"),
    )
    _backfill()


def _backfill() -> None:
    """The terms of every existing Vorhaben, computed as the application computes them."""
    from app.search.similar import stored_terms  # noqa: PLC0415 - needs the app only when run

    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM vorhaben_terms"))
    tags: dict[int, list[str]] = {}
    for vorhaben_id, tag in bind.execute(
        sa.text("SELECT vorhaben_id, tag FROM vorhaben_tags ORDER BY vorhaben_id, tag")
    ):
        tags.setdefault(vorhaben_id, []).append(tag)
    terms = sa.table(
        "vorhaben_terms", sa.column("term"), sa.column("vorhaben_id"), sa.column("weight")
    )
    rows: list[dict[str, object]] = []
    for vorhaben_id, title, summary, description in bind.execute(
        sa.text("SELECT id, title, summary, description FROM vorhaben ORDER BY id")
    ).all():
        found = stored_terms(
            title=title, summary=summary, tags=tags.get(vorhaben_id, []), description=description
        )
        rows += [
            {"term": term, "vorhaben_id": vorhaben_id, "weight": weight}
            for term, weight in found.items()
        ]
        if len(rows) >= BATCH:
            bind.execute(terms.insert(), rows)
            rows = []
    if rows:
        bind.execute(terms.insert(), rows)
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE vorhaben_terms")


def downgrade() -> None:
    # The analyzer's tokens stay (the old finder reads them as words); only the weight goes.
    with op.batch_alter_table("vorhaben_terms", schema=None) as batch_op:
        batch_op.drop_column("weight")
