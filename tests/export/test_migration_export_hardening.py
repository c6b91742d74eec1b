"""The export-hardening migration on data written before it: a feed entry whose
created_at differs from the created its item carries (the first release read the clock
twice) takes the item's value, and webhook URLs already in the audit log lose their
query."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import migrate
from app.accounts.models import Account
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.config import load_settings
from app.db import make_engine
from app.export import feed, withdrawal
from app.export.serializer import rfc3339
from tests.export.migration import before_export_hardening, downgrade
from tests.publishing import make_scene, publish


def test_the_migration_gives_each_project_one_created_and_audit_urls_no_query(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    settings = load_settings(env="test", database_url=fresh_database_url)
    try:
        with Session(engine) as db:
            scene = make_scene(db)
            publication = publish(db, settings, scene)
            owner_id, vorhaben_id = scene.owner.id, scene.vorhaben.id
            audit.record(
                db,
                "webhook_added",
                actor_id=None,
                object_type="webhook_endpoint",
                object_id=1,
                url="https://hooks.example/in?token=partner-token-4711",
            )
            entry = feed.get(db, publication.id)
            assert entry is not None
            created = entry.item["created"]
            publication_id = publication.id
            db.commit()
        # Through every later migration, as production's tools run them (foreign keys off on
        # SQLite, so a table a later migration recreates does not cascade).
        downgrade(engine, before_export_hardening(fresh_database_url))
        entries = sa.table(
            "feed_entries",
            sa.column("publication_id", sa.String),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        with engine.begin() as connection:
            # As the first release left it: a clock reading a little after the item's.
            later = dt.datetime.fromisoformat(created) + dt.timedelta(microseconds=11_204)
            if connection.dialect.name == "sqlite":
                later = later.astimezone(dt.UTC).replace(tzinfo=None)
            connection.execute(
                sa.update(entries)
                .where(entries.c.publication_id == publication_id)
                .values(created_at=later)
            )
        migrate.upgrade(engine)
        with Session(engine) as db:
            entry = feed.get(db, publication_id)
            assert entry is not None and rfc3339(entry.created_at) == created
            [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "webhook_added"))
            assert event.details["url"] == "https://hooks.example/in?…"
            owner = db.get(Account, owner_id)
            assert owner is not None
            # The tombstone is built from the entry: it repeats what partners have.
            withdrawal.withdraw_by_owner(db, settings, owner, vorhaben_id)
            entry = feed.get(db, publication_id)
            assert entry is not None and entry.deleted and entry.item["created"] == created
            db.commit()
    finally:
        engine.dispose()
