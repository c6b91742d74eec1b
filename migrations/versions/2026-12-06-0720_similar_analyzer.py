"""Similar Vorhaben on the German analyzer, and the Vorhaben's scope on its index rows
(issue 18, items 2 and 5).

`vorhaben_terms` is built again: the analyzer's tokens of title, tags, summary and
description, each with its field's weight (app.search.similar.stored_terms), and the
Vorhaben's scope. `search_entries` gains `scope` too: a copy of the Vorhaben's visibility
("hidden" while moderation hides it; app.vorhaben.visibility.scope_of), kept exact by the
writing transaction, so that search and similar Vorhaben need not join every Vorhaben.

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
# The scope as app.vorhaben.visibility.scope_of computes it, in SQL.
SCOPE = "CASE WHEN v.hidden_at IS NOT NULL THEN 'hidden' ELSE v.visibility END"


def upgrade() -> None:
    # A plain ALTER (no batch copy): a copy of search_entries would lose SQLite's FTS triggers.
    op.add_column(
        "search_entries",
        sa.Column("scope", sa.String(length=20), nullable=False, server_default="unknown"),
    )
    op.execute(
        f"UPDATE search_entries SET scope = (SELECT {SCOPE} FROM vorhaben v "  # noqa: S608
        "WHERE v.id = search_entries.vorhaben_id)"
    )
    op.drop_table("vorhaben_terms")
    _create_terms()
    _backfill()


def _create_terms() -> None:
    op.create_table(
        "vorhaben_terms",
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False, server_default="1"),
        sa.Column("scope", sa.String(length=20), nullable=False, server_default="unknown"),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_terms_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "vorhaben_id", name=op.f("pk_vorhaben_terms")),
    )
    op.create_index("ix_vorhaben_terms_vorhaben_id", "vorhaben_terms", ["vorhaben_id"])


def _backfill() -> None:
    """The terms of every existing Vorhaben, computed as the application computes them."""
    from app.search.similar import stored_terms  # noqa: PLC0415 - needs the app only when run

    bind = op.get_bind()
    tags: dict[int, list[str]] = {}
    for vorhaben_id, tag in bind.execute(
        sa.text("SELECT vorhaben_id, tag FROM vorhaben_tags ORDER BY vorhaben_id, tag")
    ):
        tags.setdefault(vorhaben_id, []).append(tag)
    terms = sa.table(
        "vorhaben_terms",
        sa.column("term"),
        sa.column("vorhaben_id"),
        sa.column("weight"),
        sa.column("scope"),
    )
    rows: list[dict[str, object]] = []
    for vorhaben_id, title, summary, description, scope in bind.execute(
        sa.text(
            f"SELECT v.id, v.title, v.summary, v.description, {SCOPE} "  # noqa: S608
            "FROM vorhaben v ORDER BY v.id"
        )
    ).all():
        found = stored_terms(
            title=title, summary=summary, tags=tags.get(vorhaben_id, []), description=description
        )
        rows += [
            {"term": term, "vorhaben_id": vorhaben_id, "weight": weight, "scope": scope}
            for term, weight in found.items()
        ]
        if len(rows) >= BATCH:
            bind.execute(terms.insert(), rows)
            rows = []
    if rows:
        bind.execute(terms.insert(), rows)
    if bind.dialect.name == "postgresql":
        op.execute("ANALYZE vorhaben_terms")
        op.execute("ANALYZE search_entries")


def downgrade() -> None:
    # The analyzer's tokens stay (the earlier finder reads them as words); weight and scope go.
    with op.batch_alter_table("vorhaben_terms", schema=None) as batch_op:
        batch_op.drop_column("scope")
        batch_op.drop_column("weight")
    # A plain ALTER (SQLite 3.35+ drops a column in place; a batch copy would lose the FTS
    # triggers).
    op.execute("ALTER TABLE search_entries DROP COLUMN scope")
