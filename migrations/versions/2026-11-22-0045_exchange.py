"""The exchange: Vorhaben, fields of action, comments, signals, follows, notifications,
and the search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:45:00.641404
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fields_of_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fields_of_action")),
        sa.UniqueConstraint("slug", name=op.f("uq_fields_of_action_slug")),
    )
    op.create_table(
        "account_interests",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_interests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["fields_of_action.id"],
            name=op.f("fk_account_interests_field_id_fields_of_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "field_id", name=op.f("pk_account_interests")),
    )
    op.create_table(
        "vorhaben",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "idee",
                "konzept",
                "pilot",
                "umsetzung",
                "betrieb",
                "abgeschlossen",
                "eingestellt",
                name="vorhaben_stage",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum(
                "members", "municipality", name="vorhaben_visibility", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("looking_for_partners", sa.Boolean(), nullable=False),
        sa.Column(
            "uses_ai",
            sa.Enum(
                "none",
                "rule_based",
                "weak_ai",
                "other",
                name="vorhaben_ai",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("open_source", sa.Boolean(), nullable=False),
        sa.Column("license", sa.String(length=100), nullable=True),
        sa.Column("repository_url", sa.String(length=500), nullable=True),
        sa.Column("website_url", sa.String(length=500), nullable=True),
        sa.Column("funding_programme", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("lessons_learned", sa.Text(), nullable=False),
        sa.Column("lessons_learned_html", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_author_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_vorhaben_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vorhaben")),
    )
    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vorhaben_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_vorhaben_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_vorhaben_last_activity_at_id", ["last_activity_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_vorhaben_municipality_id_visibility",
            ["municipality_id", "visibility"],
            unique=False,
        )
        batch_op.create_index("ix_vorhaben_stage", ["stage"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["accounts.id"],
            name=op.f("fk_comments_author_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["accounts.id"],
            name=op.f("fk_comments_deleted_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name=op.f("fk_comments_parent_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_comments_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_comments_vorhaben_id_created_at", ["vorhaben_id", "created_at"], unique=False
        )

    op.create_table(
        "follows",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_follows_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_follows_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "vorhaben_id", name=op.f("pk_follows")),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follows_vorhaben_id"), ["vorhaben_id"], unique=False)

    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("vorhaben", "comment", name="search_entry_kind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_search_entries_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_entries_kind_ref_id")),
    )
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_entries_vorhaben_id"), ["vorhaben_id"], unique=False
        )

    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "interested", "doing_too", "reuse", name="signal_kind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_signals_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_signals_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_signals_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
        sa.UniqueConstraint(
            "vorhaben_id",
            "municipality_id",
            "kind",
            name=op.f("uq_signals_vorhaben_id_municipality_id_kind"),
        ),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signals_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_signals_vorhaben_id"), ["vorhaben_id"], unique=False)

    op.create_table(
        "vorhaben_contacts",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_contacts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_contacts_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", "account_id", name=op.f("pk_vorhaben_contacts")),
    )
    with op.batch_alter_table("vorhaben_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_contacts_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "vorhaben_fields",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["fields_of_action.id"],
            name=op.f("fk_vorhaben_fields_field_id_fields_of_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_fields_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", "field_id", name=op.f("pk_vorhaben_fields")),
    )
    with op.batch_alter_table("vorhaben_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vorhaben_fields_field_id"), ["field_id"], unique=False)

    op.create_table(
        "vorhaben_partners",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_vorhaben_partners_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_partners_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "vorhaben_id", "municipality_id", name=op.f("pk_vorhaben_partners")
        ),
    )
    with op.batch_alter_table("vorhaben_partners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_partners_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "vorhaben_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_stage",
            sa.Enum(
                "idee",
                "konzept",
                "pilot",
                "umsetzung",
                "betrieb",
                "abgeschlossen",
                "eingestellt",
                name="vorhaben_stage",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_stage",
            sa.Enum(
                "idee",
                "konzept",
                "pilot",
                "umsetzung",
                "betrieb",
                "abgeschlossen",
                "eingestellt",
                name="vorhaben_stage",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_stage_changes_actor_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_stage_changes_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vorhaben_stage_changes")),
    )
    with op.batch_alter_table("vorhaben_stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_stage_changes_vorhaben_id"), ["vorhaben_id"], unique=False
        )

    op.create_table(
        "vorhaben_tags",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.Column("tag_folded", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_tags_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", "tag", name=op.f("pk_vorhaben_tags")),
    )
    with op.batch_alter_table("vorhaben_tags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_tags_tag_folded"), ["tag_folded"], unique=False
        )

    op.create_table(
        "vorhaben_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_versions_editor_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_versions_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vorhaben_versions")),
        sa.UniqueConstraint(
            "vorhaben_id", "version", name=op.f("uq_vorhaben_versions_vorhaben_id_version")
        ),
    )
    op.create_table(
        "comment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_revisions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
    )
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_revisions_comment_id"), ["comment_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "comment",
                "reply",
                "signal",
                "stage",
                name="notification_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_actor_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name=op.f("fk_notifications_signal_id_signals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_notifications_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_account_id_created_at", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_account_id_read_at", ["account_id", "read_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_vorhaben_id"), ["vorhaben_id"], unique=False
        )

    _create_search_machinery()
    _seed_fields_of_action()


def downgrade() -> None:
    _drop_search_machinery()
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_vorhaben_id"))
        batch_op.drop_index("ix_notifications_account_id_read_at")
        batch_op.drop_index("ix_notifications_account_id_created_at")

    op.drop_table("notifications")
    with op.batch_alter_table("comment_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_revisions_comment_id"))

    op.drop_table("comment_revisions")
    op.drop_table("vorhaben_versions")
    with op.batch_alter_table("vorhaben_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_tags_tag_folded"))

    op.drop_table("vorhaben_tags")
    with op.batch_alter_table("vorhaben_stage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_stage_changes_vorhaben_id"))

    op.drop_table("vorhaben_stage_changes")
    with op.batch_alter_table("vorhaben_partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_partners_municipality_id"))

    op.drop_table("vorhaben_partners")
    with op.batch_alter_table("vorhaben_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_fields_field_id"))

    op.drop_table("vorhaben_fields")
    with op.batch_alter_table("vorhaben_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_contacts_account_id"))

    op.drop_table("vorhaben_contacts")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_vorhaben_id"))
        batch_op.drop_index(batch_op.f("ix_signals_municipality_id"))

    op.drop_table("signals")
    with op.batch_alter_table("search_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_entries_vorhaben_id"))

    op.drop_table("search_entries")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follows_vorhaben_id"))

    op.drop_table("follows")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_vorhaben_id_created_at")
        batch_op.drop_index(batch_op.f("ix_comments_parent_id"))
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))

    op.drop_table("comments")
    with op.batch_alter_table("vorhaben", schema=None) as batch_op:
        batch_op.drop_index("ix_vorhaben_stage")
        batch_op.drop_index("ix_vorhaben_municipality_id_visibility")
        batch_op.drop_index("ix_vorhaben_last_activity_at_id")
        batch_op.drop_index("ix_vorhaben_created_at_id")
        batch_op.drop_index(batch_op.f("ix_vorhaben_author_id"))

    op.drop_table("vorhaben")
    op.drop_table("account_interests")
    op.drop_table("fields_of_action")


FIELDS_OF_ACTION = [
    ("verwaltung-ozg", "Verwaltung/OZG"),
    ("bildung", "Bildung"),
    ("soziales", "Soziales"),
    ("pflege", "Pflege"),
    ("gesundheit", "Gesundheit"),
    ("mobilitaet", "Mobilität"),
    ("umwelt-klima", "Umwelt/Klima"),
    ("abfall", "Abfall"),
    ("gruenflaechen", "Grünflächen"),
    ("wirtschaftsfoerderung", "Wirtschaftsförderung"),
    ("kultur", "Kultur"),
    ("integration", "Integration"),
    ("beteiligung", "Beteiligung"),
    ("sicherheit", "Sicherheit"),
    ("infrastruktur-smart-city", "Infrastruktur/Smart City"),
]


def _seed_fields_of_action() -> None:
    table = sa.table(
        "fields_of_action",
        sa.column("slug", sa.String),
        sa.column("label", sa.String),
        sa.column("position", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        table,
        [
            {"slug": slug, "label": label, "position": (index + 1) * 10, "active": True}
            for index, (slug, label) in enumerate(FIELDS_OF_ACTION)
        ],
    )


def _create_search_machinery() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # An external-content FTS5 table over search_entries, kept in sync by triggers; the
        # trigram tokenizer matches inside words (Strategie in Digitalisierungsstrategie).
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, content, content='search_entries', content_rowid='id', "
            "tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN "
            "INSERT INTO search_fts(rowid, title, content) "
            "VALUES (new.id, new.title, new.content); END"
        )
        op.execute(
            "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, content) "
            "VALUES ('delete', old.id, old.title, old.content); END"
        )
        op.execute(
            "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN "
            "INSERT INTO search_fts(search_fts, rowid, title, content) "
            "VALUES ('delete', old.id, old.title, old.content); "
            "INSERT INTO search_fts(rowid, title, content) "
            "VALUES (new.id, new.title, new.content); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_search_entries_title_trgm ON search_entries "
            "USING gin (title gin_trgm_ops)"
        )
        op.execute(
            "CREATE INDEX ix_search_entries_content_trgm ON search_entries "
            "USING gin (content gin_trgm_ops)"
        )


def _drop_search_machinery() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_fts_insert", "search_fts_delete", "search_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_search_entries_title_trgm")
        op.execute("DROP INDEX IF EXISTS ix_search_entries_content_trgm")
