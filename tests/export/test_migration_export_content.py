"""The export-content migration on data written before it: publications released before
owners could choose a licence are "all rights reserved", and the items the feed and past
versions stored gain every new field (classification, level and ARS, …) so the feed
matches docs/schema/ again, without a new version or sequence number."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import migrate
from app.config import load_settings
from app.db import make_engine
from app.export import feed
from app.export.models import Publication, PublicationVersion
from tests.export.contract import ADDITIONS, check_item
from tests.export.migration import before, downgrade
from tests.publishing import make_scene, publish


def _as_before(item: dict[str, Any]) -> dict[str, Any]:
    """An item as releases wrote it before the migration."""
    old = {key: value for key, value in item.items() if key not in ADDITIONS}
    for key in ("municipality",):
        old[key] = {k: v for k, v in item[key].items() if k not in {"level", "ars"}}
    return old


def test_the_migration_completes_stored_items_and_keeps_rights_reserved(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url)
    settings = load_settings(env="test", database_url=fresh_database_url)
    try:
        with Session(engine) as db:
            publication_id = publish(db, settings, make_scene(db)).id
            entry = feed.get(db, publication_id)
            assert entry is not None
            released, seq = dict(entry.item), entry.seq
            db.commit()
        downgrade(engine, before(fresh_database_url, "export_content"))
        for table in ("feed_entries", "publication_versions"):
            rows = sa.table(table, sa.column("item", sa.JSON))
            with engine.begin() as connection:
                connection.execute(sa.update(rows).values(item=_as_before(released)))
        migrate.upgrade(engine)
        with Session(engine) as db:
            entry = feed.get(db, publication_id)
            assert entry is not None and entry.seq == seq
            item = entry.item
            check_item(item, settings.base_url)
            assert item["version"] == released["version"]
            assert item["classification"] == released["classification"]
            assert item["keyword"] == released["keyword"]
            assert item["municipality"] == released["municipality"]
            assert item["license_id"] == "all-rights-reserved" and item["license"] is None
            [version] = db.scalars(sa.select(PublicationVersion.item))
            assert version == item
            publication = db.get(Publication, publication_id)
            assert publication is not None
            assert publication.content_license == "all-rights-reserved"
    finally:
        engine.dispose()
