"""Versions name their contact persons by identity; one `created` per project; no partner
tokens in the audit log.

Schema: `vorhaben_version_contacts` says which accounts a version names as contact
persons, so erasure finds every version naming a person, whatever name it recorded.

Data:
- Version snapshots held bare names in `contacts`; each becomes {"id", "name"}. A name
  carried by exactly one member of the Vorhaben's municipality (or one of its current
  contact persons) gets that member's id. A name nobody carries any more (a name the
  identity provider has changed since, a person already erased) or several do cannot be
  tied to a person, so it could never be erased on request: it is removed (name and id
  null; the version page shows "Name entfernt").
- A feed entry whose `created_at` differs from the `created` of the item partners have
  now (the first release read the clock twice) takes the item's value, so later versions
  and the tombstone carry what partners already have.
- `webhook_added` audit events keep the webhook URL only up to its path: a query string
  may hold a partner's token.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:00:00
"""

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000
FORMER_MEMBER = "Ehemaliges Mitglied"

versions = sa.table(
    "vorhaben_versions",
    sa.column("id", sa.Integer),
    sa.column("vorhaben_id", sa.Integer),
    sa.column("snapshot", sa.JSON),
)
links = sa.table(
    "vorhaben_version_contacts",
    sa.column("version_id", sa.Integer),
    sa.column("account_id", sa.Integer),
)


def upgrade() -> None:
    op.create_table(
        "vorhaben_version_contacts",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_vorhaben_version_contacts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["vorhaben_versions.id"],
            name=op.f("fk_vorhaben_version_contacts_version_id_vorhaben_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "version_id", "account_id", name=op.f("pk_vorhaben_version_contacts")
        ),
    )
    op.create_index(
        op.f("ix_vorhaben_version_contacts_account_id"),
        "vorhaben_version_contacts",
        ["account_id"],
        unique=False,
    )
    _contacts_by_identity()
    _one_created_per_project()
    _webhook_urls_without_query()


def _loaded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _candidates(connection: sa.Connection, vorhaben_id: int) -> dict[str, set[int]]:
    """Names of the people a version of this Vorhaben can have named, with their ids."""
    accounts = sa.table(
        "accounts",
        sa.column("id", sa.Integer),
        sa.column("display_name", sa.String),
        sa.column("municipality_id", sa.Integer),
        sa.column("state", sa.String),
    )
    vorhaben = sa.table(
        "vorhaben", sa.column("id", sa.Integer), sa.column("municipality_id", sa.Integer)
    )
    contacts = sa.table(
        "vorhaben_contacts",
        sa.column("vorhaben_id", sa.Integer),
        sa.column("account_id", sa.Integer),
    )
    home = sa.select(vorhaben.c.municipality_id).where(vorhaben.c.id == vorhaben_id)
    current = sa.select(contacts.c.account_id).where(contacts.c.vorhaben_id == vorhaben_id)
    rows = connection.execute(
        sa.select(accounts.c.id, accounts.c.display_name).where(
            accounts.c.state != "erased",
            sa.or_(
                accounts.c.municipality_id == home.scalar_subquery(),
                accounts.c.id.in_(current),
            ),
        )
    )
    found: dict[str, set[int]] = {}
    for account_id, name in rows:
        found.setdefault(name, set()).add(account_id)
    return found


def _contacts_by_identity() -> None:
    connection = op.get_bind()
    known: dict[int, dict[str, set[int]]] = {}
    last = 0
    while True:
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.vorhaben_id, versions.c.snapshot)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for version_id, vorhaben_id, stored in rows:
            snapshot = _loaded(stored)
            names = snapshot.get("contacts") if isinstance(snapshot, dict) else None
            if not isinstance(names, list) or not names:
                continue
            if vorhaben_id not in known:
                known[vorhaben_id] = _candidates(connection, vorhaben_id)
            contacts = []
            for name in names:
                if isinstance(name, dict):  # already by identity
                    contacts.append(name)
                    continue
                ids = known[vorhaben_id].get(str(name), set())
                person = next(iter(ids)) if len(ids) == 1 else None
                contacts.append({"id": person, "name": name if person else None})
            connection.execute(
                sa.update(versions)
                .where(versions.c.id == version_id)
                .values(snapshot={**snapshot, "contacts": contacts})
            )
            named = sorted({entry["id"] for entry in contacts if entry.get("id")})
            if named:
                connection.execute(
                    sa.insert(links),
                    [{"version_id": version_id, "account_id": person} for person in named],
                )
        last = rows[-1][0]


def _one_created_per_project() -> None:
    entries = sa.table(
        "feed_entries",
        sa.column("publication_id", sa.String),
        sa.column("item", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    last = ""
    while True:
        rows = connection.execute(
            sa.select(entries.c.publication_id, entries.c.item, entries.c.created_at)
            .where(entries.c.publication_id > last)
            .order_by(entries.c.publication_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for publication_id, stored, created_at in rows:
            item = _loaded(stored)
            try:
                created = dt.datetime.fromisoformat(str(item["created"]))
            except (KeyError, TypeError, ValueError):
                continue
            if created.tzinfo is None:
                continue
            current = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
            if current == created:
                continue
            stamp = created.astimezone(dt.UTC)
            connection.execute(
                sa.update(entries)
                .where(entries.c.publication_id == publication_id)
                .values(created_at=stamp.replace(tzinfo=None) if sqlite else stamp)
            )
        last = rows[-1][0]


def _shown(url: str) -> str:
    """scheme://host/path of a URL; a query or fragment becomes "?…" (as
    app.export.webhooks.shown_url does)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    hidden = "?…" if parts.query or parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) + hidden


def _webhook_urls_without_query() -> None:
    events = sa.table(
        "audit_events",
        sa.column("id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("details", sa.JSON),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.details).where(events.c.action == "webhook_added")
    ).all()
    for event_id, stored in rows:
        details = _loaded(stored)
        if not isinstance(details, dict) or not isinstance(details.get("url"), str):
            continue
        try:
            shown = _shown(details["url"])
        except ValueError:  # an unparsable port: keep nothing of it
            shown = "…"
        if shown != details["url"]:
            connection.execute(
                sa.update(events)
                .where(events.c.id == event_id)
                .values(details={**details, "url": shown})
            )


def downgrade() -> None:
    # Snapshots go back to bare names; the feed's created and the redacted audit URLs stay.
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.snapshot)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for version_id, stored in rows:
            snapshot = _loaded(stored)
            contacts = snapshot.get("contacts") if isinstance(snapshot, dict) else None
            if not isinstance(contacts, list) or not contacts:
                continue
            names = [
                (entry.get("name") or FORMER_MEMBER) if isinstance(entry, dict) else entry
                for entry in contacts
            ]
            connection.execute(
                sa.update(versions)
                .where(versions.c.id == version_id)
                .values(snapshot={**snapshot, "contacts": names})
            )
        last = rows[-1][0]
    op.drop_index(
        op.f("ix_vorhaben_version_contacts_account_id"), table_name="vorhaben_version_contacts"
    )
    op.drop_table("vorhaben_version_contacts")
