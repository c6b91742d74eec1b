"""Export layer fixes: the draft revision and last decision of a publication, the contact
recorded with each released version, and the per-project delivery order of webhooks.

Data: a declined change of a live publication used to leave it in `draft` while it stayed
live; such rows are published again (the live version never left the feed).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:10:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


def upgrade() -> None:
    op.add_column("publications", sa.Column("last_decision", sa.String(length=10), nullable=True))
    op.add_column(
        "publications",
        sa.Column("draft_revision", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "publication_versions", sa.Column("contact_account_id", sa.Integer(), nullable=True)
    )
    op.create_index(
        "ix_publication_versions_contact_account_id",
        "publication_versions",
        ["contact_account_id"],
    )
    op.add_column("outbox", sa.Column("ordering_key", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_outbox_ordering_key", "outbox", ["ordering_key", "webhook_endpoint_id", "id"]
    )
    op.execute(
        sa.text(
            "UPDATE publications SET state = 'published', last_decision = 'decline' "
            "WHERE state = 'draft' AND live"
        )
    )
    _backfill_ordering_keys()
    _backfill_version_contacts()


def _body_of(payload: Any) -> dict[str, Any] | None:
    if isinstance(payload, str):
        payload = json.loads(payload)
    try:
        body = json.loads(payload["body"])
    except (KeyError, TypeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _backfill_ordering_keys() -> None:
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("ordering_key", sa.String),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.payload)
            .where(outbox.c.channel == "webhook", outbox.c.id > last)
            .order_by(outbox.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, payload in rows:
            body = _body_of(payload)
            data = body.get("data") if body else None
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                connection.execute(
                    sa.update(outbox)
                    .where(outbox.c.id == row_id)
                    .values(ordering_key=data["id"][:64])
                )
        last = rows[-1][0]


def _backfill_version_contacts() -> None:
    versions = sa.table(
        "publication_versions",
        sa.column("id", sa.Integer),
        sa.column("item", sa.JSON),
        sa.column("contact_account_id", sa.Integer),
    )
    accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("email", sa.String))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.item)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, stored in rows:
            item = json.loads(stored) if isinstance(stored, str) else stored
            contact = item.get("contact") if isinstance(item, dict) else None
            email = contact.get("email") if isinstance(contact, dict) else None
            if not email:
                continue
            owners = connection.execute(
                sa.select(accounts.c.id).where(accounts.c.email == email).limit(2)
            ).all()
            if len(owners) == 1:
                connection.execute(
                    sa.update(versions)
                    .where(versions.c.id == row_id)
                    .values(contact_account_id=owners[0][0])
                )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_outbox_ordering_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("ordering_key")
    op.drop_index("ix_publication_versions_contact_account_id", table_name="publication_versions")
    with op.batch_alter_table("publication_versions") as batch_op:
        batch_op.drop_column("contact_account_id")
    with op.batch_alter_table("publications") as batch_op:
        batch_op.drop_column("draft_revision")
        batch_op.drop_column("last_decision")
