"""Export content partners can use (issue 21): the AI record of a Vorhaben; vocabulary
mappings (fields of action → English label, OZG Themenfelder, publiccode.yml categories;
stages → developmentStatus and phase), seeded for the fields and stages that exist; what
else the owners of a publication choose to publish.

Data: publications that exist were released before their owners could choose a licence,
so they are "all rights reserved" until the owners choose (new ones start at CC BY 4.0).
Partner municipalities named in a draft are asked for their consent (requests without a
requester); the items already released keep them until the next release.
The items stored for the feed and for past versions gain the new fields with the values
that are true for them (classification from today's mappings, level and ARS from the
registry, everything the owners could not yet choose empty), so every item the feed
serves matches docs/schema/ again; versions and sequence numbers stay as they are.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:00:00
"""

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _publication_columns() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "content_license", sa.String(length=30), server_default="CC-BY-4.0", nullable=False
        ),
        sa.Column("seeks_partners", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lessons_learned", sa.Text(), server_default="", nullable=False),
        sa.Column("funding_programme", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("title_en", sa.String(length=200), server_default="", nullable=False),
        sa.Column("summary_en", sa.String(length=500), server_default="", nullable=False),
        sa.Column("mailbox_name", sa.String(length=200), nullable=True),
        sa.Column("mailbox_email", sa.String(length=320), nullable=True),
        sa.Column("ai_record", sa.JSON(), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("image_alt", sa.String(length=300), nullable=True),
        sa.Column("destinations_all", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("destination_public", sa.Boolean(), server_default=sa.true(), nullable=False),
    ]


def _feed_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("to_all", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("public_seen", sa.Boolean(), server_default=sa.true(), nullable=False),
    ]


def upgrade() -> None:
    _create_ai_records()
    _create_vocabulary_mappings()
    with op.batch_alter_table("publications", schema=None) as batch_op:
        for column in _publication_columns():
            batch_op.add_column(column)
    op.execute(sa.text("UPDATE publications SET content_license = 'all-rights-reserved'"))
    _create_partner_consents()
    _create_images()
    _create_destinations()
    _complete_stored_items()


def downgrade() -> None:
    for table in ("feed_recipients", "publication_destinations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_partner_id"))
        op.drop_table(table)
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        for column in reversed(_feed_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("publication_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_images_publication_id"))
    op.drop_table("publication_images")
    with op.batch_alter_table("publication_partner_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_partner_consents_publication_id"))
        batch_op.drop_index(batch_op.f("ix_publication_partner_consents_municipality_id"))
    op.drop_table("publication_partner_consents")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        for column in reversed(_publication_columns()):
            batch_op.drop_column(column.name)
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


BATCH = 500
STAGE_LABELS = {
    "idee": ("Idee", "Idea"),
    "konzept": ("Konzept", "Concept"),
    "pilot": ("Pilot", "Pilot"),
    "umsetzung": ("Umsetzung", "Implementation"),
    "betrieb": ("Betrieb", "Operation"),
    "abgeschlossen": ("Abgeschlossen", "Completed"),
    "eingestellt": ("Eingestellt", "Discontinued"),
}
OZG_ORDER = [
    "arbeit-ruhestand", "bauen-wohnen", "bildung", "ein-auswanderung", "engagement-hobby",
    "familie-kind", "forschung-foerderung", "gesundheit", "mobilitaet-reisen",
    "querschnittsleistungen", "recht-ordnung", "steuern-zoll", "umwelt",
    "unternehmensfuehrung-entwicklung",
]  # fmt: skip
NEW_DEFAULTS: dict[str, Any] = {
    "license": None,
    "license_id": "all-rights-reserved",
    "language": "de",
    "translations": {"en": None},
    "seeks_partners": False,
    "lessons_learned_html": "",
    "funding_programme": None,
    "start_date": None,
    "end_date": None,
    "mailbox": None,
    "image": None,
    "ai_record": None,
}


class _Vocabulary:
    """Fields of action, their mappings and the registry, read once for the backfill."""

    def __init__(self, connection: sa.Connection) -> None:
        rows = connection.execute(
            sa.text(
                "SELECT f.slug, f.label, m.label_en, m.ozg_themenfelder, "
                "m.publiccode_categories FROM fields_of_action f "
                "LEFT JOIN field_of_action_mappings m ON m.field_id = f.id"
            )
        )
        self.fields = {
            row.slug: (row.label, row.label_en or row.label, _list(row.ozg_themenfelder),
                       _list(row.publiccode_categories))
            for row in rows
        }  # fmt: skip
        self.stages = {
            row.stage: (row.development_status, row.phase)
            for row in connection.execute(sa.text("SELECT * FROM stage_mappings"))
        }
        self.connection = connection
        self.places: dict[str, tuple[str, str]] = {}

    def place(self, ags: str) -> tuple[str, str]:
        if ags not in self.places:
            row = self.connection.execute(
                sa.text("SELECT level, ars FROM municipalities WHERE ags = :ags"), {"ags": ags}
            ).first()
            self.places[ags] = (row.level, row.ars or ags) if row else ("gemeinde", ags)
        return self.places[ags]

    def complete(self, item: dict[str, Any]) -> dict[str, Any]:
        if item.get("deleted") or "classification" in item:
            return item
        chosen = [self.fields[slug] for slug in item["fields_of_action"] if slug in self.fields]
        status, phase = self.stages.get(item["stage"], ("concept", None))
        ozg = {code for entry in chosen for code in entry[2]}
        categories: list[str] = []
        for entry in chosen:
            categories += [code for code in entry[3] if code not in categories]
        de, en = STAGE_LABELS[item["stage"]]
        return {
            **item,
            "municipality": self._ref(item["municipality"]),
            "partner_municipalities": [
                self._ref(entry) for entry in item["partner_municipalities"]
            ],
            "classification": {
                "fields_of_action": [
                    {"id": slug, "label": {"de": self.fields[slug][0], "en": self.fields[slug][1]}}
                    for slug in item["fields_of_action"]
                    if slug in self.fields
                ],
                "stage": {"id": item["stage"], "label": {"de": de, "en": en}},
                "ozg_themenfelder": [code for code in OZG_ORDER if code in ozg],
                "publiccode_categories": sorted(
                    categories, key=lambda code: (code == "other", code)
                ),
                "development_status": status,
                "phase": phase,
            },
            "keyword": list(dict.fromkeys([*item["tags"], *(entry[0] for entry in chosen)])),
            **NEW_DEFAULTS,
        }

    def _ref(self, entry: dict[str, Any]) -> dict[str, Any]:
        if "level" in entry:
            return entry
        level, ars = self.place(entry["ags"])
        return {**entry, "level": level, "ars": ars}


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def _complete_stored_items() -> None:
    connection = op.get_bind()
    vocabulary = _Vocabulary(connection)
    for table, key in (("feed_entries", "publication_id"), ("publication_versions", "id")):
        rows = sa.table(table, sa.column(key), sa.column("item", sa.JSON))
        column = rows.c[key]
        last: Any = None
        while True:
            query = sa.select(column, rows.c.item).order_by(column).limit(BATCH)
            if last is not None:
                query = query.where(column > last)
            batch = connection.execute(query).all()
            if not batch:
                break
            for identifier, stored in batch:
                item = json.loads(stored) if isinstance(stored, str) else stored
                completed = vocabulary.complete(item)
                if completed is not item:
                    connection.execute(
                        rows.update().where(column == identifier).values(item=completed)
                    )
            last = batch[-1][0]


def _create_partner_consents() -> None:
    op.create_table(
        "publication_partner_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "requested",
                "confirmed",
                "revoked",
                name="partner_consent_state",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name=op.f("fk_publication_partner_consents_decided_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_publication_partner_consents_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_partner_consents_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["accounts.id"],
            name=op.f("fk_publication_partner_consents_requested_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_partner_consents")),
        sa.UniqueConstraint(
            "publication_id",
            "municipality_id",
            name=op.f("uq_publication_partner_consents_publication_id_municipality_id"),
        ),
    )
    with op.batch_alter_table("publication_partner_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publication_partner_consents_municipality_id"),
            ["municipality_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_publication_partner_consents_publication_id"),
            ["publication_id"],
            unique=False,
        )
    connection = op.get_bind()
    consents = sa.table(
        "publication_partner_consents",
        sa.column("publication_id", sa.String),
        sa.column("municipality_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("requested_at", sa.DateTime(timezone=True)),
    )
    now = dt.datetime.now(dt.UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as app.db.UTCDateTime stores it there
    for publication_id, partner_ags in connection.execute(
        sa.text("SELECT id, partner_ags FROM publications")
    ):
        wanted = _list(partner_ags)
        if not wanted:
            continue
        places = sa.table("municipalities", sa.column("id", sa.Integer), sa.column("ags"))
        ids = connection.execute(sa.select(places.c.id).where(places.c.ags.in_(wanted))).scalars()
        for municipality_id in ids:
            connection.execute(
                consents.insert().values(
                    publication_id=publication_id,
                    municipality_id=municipality_id,
                    state="requested",
                    requested_at=now,
                )
            )


def _create_images() -> None:
    op.create_table(
        "publication_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_images_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_images")),
        sa.UniqueConstraint(
            "publication_id", "sha256", name=op.f("uq_publication_images_publication_id_sha256")
        ),
    )
    with op.batch_alter_table("publication_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_publication_images_publication_id"), ["publication_id"], unique=False
        )


def _create_destinations() -> None:
    """Every project that exists went to everyone: the columns' defaults say so."""
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        for column in _feed_columns():
            batch_op.add_column(column)
    op.create_table(
        "publication_destinations",
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_publication_destinations_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name=op.f("fk_publication_destinations_publication_id_publications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "publication_id", "partner_id", name=op.f("pk_publication_destinations")
        ),
    )
    op.create_table(
        "feed_recipients",
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_feed_recipients_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["feed_entries.publication_id"],
            name=op.f("fk_feed_recipients_publication_id_feed_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("publication_id", "partner_id", name=op.f("pk_feed_recipients")),
    )
    for table in ("publication_destinations", "feed_recipients"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f(f"ix_{table}_partner_id"), ["partner_id"], unique=False
            )
