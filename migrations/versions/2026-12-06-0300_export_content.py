"""Export content partners can use (issue 21): the AI record of a Vorhaben; vocabulary
mappings (fields of action → English label, OZG Themenfelder, publiccode.yml categories;
stages → developmentStatus and phase), seeded for the fields and stages that exist.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_ai_records()
    _create_vocabulary_mappings()


def downgrade() -> None:
    op.drop_table("stage_mappings")
    op.drop_table("field_of_action_mappings")
    with op.batch_alter_table("vorhaben_ai_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vorhaben_ai_records_risk_class"))
    op.drop_table("vorhaben_ai_records")


def _create_ai_records() -> None:
    op.create_table(
        "vorhaben_ai_records",
        sa.Column("vorhaben_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("responsible_body", sa.String(length=300), nullable=False),
        sa.Column("data_used", sa.Text(), nullable=False),
        sa.Column("data_origin", sa.Text(), nullable=False),
        sa.Column("human_oversight", sa.Text(), nullable=False),
        sa.Column(
            "risk_class",
            sa.Enum(
                "minimal",
                "limited",
                "high",
                "prohibited",
                name="ai_risk_class",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("risk_explanation", sa.Text(), nullable=False),
        sa.Column("quality_fairness", sa.Text(), nullable=False),
        sa.Column("energy_footprint", sa.Text(), nullable=False),
        sa.Column("reuse_potential", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vorhaben_id"],
            ["vorhaben.id"],
            name=op.f("fk_vorhaben_ai_records_vorhaben_id_vorhaben"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vorhaben_id", name=op.f("pk_vorhaben_ai_records")),
    )
    with op.batch_alter_table("vorhaben_ai_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vorhaben_ai_records_risk_class"), ["risk_class"], unique=False
        )


# slug: (English label, OZG Themenfelder, publiccode.yml categories) of the seeded fields.
FIELD_MAPPINGS = {
    "verwaltung-ozg": (
        "Administration/OZG",
        ["querschnittsleistungen"],
        ["business-process-management", "document-management", "workflow-management"],
    ),
    "bildung": ("Education", ["bildung"], ["educational-content", "learning-management-system"]),
    "soziales": ("Social affairs", ["arbeit-ruhestand", "familie-kind"], ["digital-citizenship"]),
    "pflege": ("Care", ["gesundheit"], []),
    "gesundheit": ("Health", ["gesundheit"], []),
    "mobilitaet": (
        "Mobility",
        ["mobilitaet-reisen"],
        ["fleet-management", "geographic-information-systems"],
    ),
    "umwelt-klima": ("Environment/Climate", ["umwelt"], ["data-analytics"]),
    "abfall": ("Waste", ["umwelt"], []),
    "gruenflaechen": (
        "Green spaces",
        ["umwelt"],
        ["facility-management", "geographic-information-systems"],
    ),
    "wirtschaftsfoerderung": (
        "Economic development",
        ["forschung-foerderung", "unternehmensfuehrung-entwicklung"],
        ["grant-management"],
    ),
    "kultur": ("Culture", ["engagement-hobby"], ["digital-asset-management"]),
    "integration": ("Integration", ["ein-auswanderung"], ["translation"]),
    "beteiligung": ("Participation", ["engagement-hobby"], ["digital-citizenship", "survey"]),
    "sicherheit": ("Safety and security", ["recht-ordnung"], []),
    "infrastruktur-smart-city": (
        "Infrastructure/Smart City",
        ["bauen-wohnen", "mobilitaet-reisen"],
        ["data-collection", "geographic-information-systems"],
    ),
}

STAGE_MAPPINGS = {
    "idee": ("concept", "idea"),
    "konzept": ("concept", "concept"),
    "pilot": ("beta", "implementation"),
    "umsetzung": ("development", "implementation"),
    "betrieb": ("stable", "transfer"),
    "abgeschlossen": ("stable", "transfer"),
    "eingestellt": ("obsolete", None),
}


def _create_vocabulary_mappings() -> None:
    op.create_table(
        "field_of_action_mappings",
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("ozg_themenfelder", sa.JSON(), nullable=False),
        sa.Column("publiccode_categories", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["fields_of_action.id"],
            name=op.f("fk_field_of_action_mappings_field_id_fields_of_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("field_id", name=op.f("pk_field_of_action_mappings")),
    )
    op.create_table(
        "stage_mappings",
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("development_status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_stage_mappings")),
    )
    fields = sa.table("fields_of_action", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    mappings = sa.table(
        "field_of_action_mappings",
        sa.column("field_id", sa.Integer),
        sa.column("label_en", sa.String),
        sa.column("ozg_themenfelder", sa.JSON),
        sa.column("publiccode_categories", sa.JSON),
    )
    connection = op.get_bind()
    # Only the fields that still carry a seeded slug (an admin's own fields start unmapped).
    for field_id, slug in connection.execute(sa.select(fields.c.id, fields.c.slug)):
        if slug not in FIELD_MAPPINGS:
            continue
        label_en, ozg, categories = FIELD_MAPPINGS[slug]
        connection.execute(
            mappings.insert().values(
                field_id=field_id,
                label_en=label_en,
                ozg_themenfelder=ozg,
                publiccode_categories=categories,
            )
        )
    stages = sa.table(
        "stage_mappings",
        sa.column("stage", sa.String),
        sa.column("development_status", sa.String),
        sa.column("phase", sa.String),
    )
    op.bulk_insert(
        stages,
        [
            {"stage": stage, "development_status": status, "phase": phase}
            for stage, (status, phase) in STAGE_MAPPINGS.items()
        ],
    )
