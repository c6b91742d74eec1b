"""Word-level search index: the analyzer's tokens per ranking weight, replacing the trigram
index over folded text (issue 18, item 2).

`search_entries` loses `title` and `content` (folded text) and gains `tokens_a` … `tokens_d`
(app.search.index); every existing entry is analyzed again. SQLite: an FTS5 table with the
unicode61 tokenizer over the four columns, kept by triggers, replaces the trigram table.
PostgreSQL: a generated weighted tsvector with a GIN index (and one over the title alone)
replaces the pg_trgm indexes. The statements are app.search.bulk's, shared with the seed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENS = ("tokens_a", "tokens_b", "tokens_c", "tokens_d")
OLD_SQLITE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, content, content='search_entries', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
    "INSERT INTO search_fts(rowid, title, content) VALUES (new.id, new.title, new.content); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, content) "
    "VALUES ('delete', old.id, old.title, old.content); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, content) "
    "VALUES ('delete', old.id, old.title, old.content); "
    "INSERT INTO search_fts(rowid, title, content) VALUES (new.id, new.title, new.content); END",
)
OLD_POSTGRES = (
    "CREATE INDEX ix_search_entries_title_trgm ON search_entries USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_search_entries_content_trgm ON search_entries "
    "USING gin (content gin_trgm_ops)",
)


def upgrade() -> None:
    # Needs the app's analyzer only when run (as 2026-11-22-0235_similar_terms.py).
    from app.search import bulk  # noqa: PLC0415

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for trigger in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_title_trgm")
        op.execute("DROP INDEX IF EXISTS ix_search_entries_content_trgm")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_column("title")
        batch_op.drop_column("content")
        for name in TOKENS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    bulk.reindex(bind, commit=False)
    bulk.create(bind)
    if not sqlite:
        op.execute("ANALYZE search_entries")


def downgrade() -> None:
    from app.core.text import fold_words  # noqa: PLC0415
    from app.search import bulk  # noqa: PLC0415

    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    bulk.drop(bind)
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        for name in TOKENS:
            batch_op.drop_column(name)
        batch_op.add_column(sa.Column("title", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("content", sa.Text(), nullable=False, server_default=""))
    tags: dict[int, list[str]] = {}
    for vorhaben_id, tag in bind.execute(sa.text("SELECT vorhaben_id, tag FROM vorhaben_tags")):
        tags.setdefault(vorhaben_id, []).append(tag)
    update = sa.text(
        "UPDATE search_entries SET title = :title, content = :content "
        "WHERE kind = :kind AND ref_id = :ref_id"
    )
    rows = [
        {
            "title": fold_words(row.title),
            "content": fold_words(
                " ".join(
                    part
                    for part in (
                        row.title,
                        row.summary,
                        row.description,
                        " ".join(tags.get(row.id, [])),
                        row.lessons_learned,
                    )
                    if part
                )
            ),
            "kind": "vorhaben",
            "ref_id": row.id,
        }
        for row in bind.execute(
            sa.text("SELECT id, title, summary, description, lessons_learned FROM vorhaben")
        )
    ]
    rows += [
        {"title": "", "content": fold_words(row.body), "kind": "comment", "ref_id": row.id}
        for row in bind.execute(sa.text("SELECT id, body FROM comments"))
    ]
    if rows:
        bind.execute(update, rows)
    for statement in OLD_SQLITE if sqlite else OLD_POSTGRES:
        op.execute(statement)
    if sqlite:
        op.execute("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
