"""Versions name their contact persons by identity: the name as it was then, and who it
was, so erasure finds every version naming a person whatever name it recorded. The
migration links the snapshots saved before that."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import migrate
from app.account import privacy
from app.config import Settings, load_settings
from app.db import make_engine
from app.vorhaben import diff, service
from app.vorhaben.models import VorhabenVersion, VorhabenVersionContact
from tests import factories
from tests.export.migration import before_export_hardening, downgrade


def test_a_version_names_its_contacts_by_identity(db: Session, settings: Settings) -> None:
    town = factories.municipality(db, "Kontaktstadt")
    author = factories.account(db, "Bea Kollegin", municipality=town)
    contact = factories.account(db, "Carla Kontakt", municipality=town)
    vorhaben = factories.vorhaben(db, author, "Offene Ratsdaten")
    form = service.form_from(service.get(db, author, vorhaben.id))
    form.contacts = [str(contact.id)]
    service.update(db, settings, author, vorhaben.id, form)
    current, previous = service.version(db, vorhaben.id, 2)
    assert previous is not None
    assert current.snapshot["contacts"] == [{"id": contact.id, "name": "Carla Kontakt"}]
    linked = db.scalars(
        sa.select(VorhabenVersionContact.account_id).where(
            VorhabenVersionContact.version_id == current.id
        )
    ).all()
    assert linked == [contact.id]
    [change] = diff.changes(previous.snapshot, current.snapshot)
    assert change.field == "contacts" and "Carla Kontakt" in change.after
    assert "{" not in change.after  # names, not the stored structure


def _snapshots(connection: sa.Connection, vorhaben_id: int) -> dict[int, Any]:
    versions = sa.table(
        "vorhaben_versions",
        sa.column("vorhaben_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("snapshot", sa.JSON),
    )
    rows = connection.execute(
        sa.select(versions.c.version, versions.c.snapshot).where(
            versions.c.vorhaben_id == vorhaben_id
        )
    )
    return {row.version: row.snapshot for row in rows}


def test_the_migration_names_old_version_contacts_by_identity(fresh_database_url: str) -> None:
    """Snapshots from before held bare names. Each name still carried by a member of the
    Vorhaben's municipality gets that member's id; a name nobody carries any more (an
    earlier name, a person already erased) cannot be erased on request and is removed."""
    engine = make_engine(fresh_database_url)
    settings = load_settings(env="test", database_url=fresh_database_url)
    try:
        with Session(engine) as db:
            town = factories.municipality(db, "Altstadt")
            author = factories.account(db, "Bea Kollegin", municipality=town)
            carla = factories.account(db, "Carla Neu", municipality=town)
            factories.account(db, "Carla Neu")  # a namesake elsewhere
            vorhaben = factories.vorhaben(db, author, "Offene Ratsdaten", settings=settings)
            form = service.form_from(service.get(db, author, vorhaben.id))
            form.contacts = [str(carla.id)]
            service.update(db, settings, author, vorhaben.id, form)
            vorhaben_id, carla_id = vorhaben.id, carla.id
            db.commit()
        # Through every later migration, as production's tools run them (foreign keys off on
        # SQLite, so a table a later migration recreates does not cascade).
        downgrade(engine, before_export_hardening(fresh_database_url))
        with engine.begin() as connection:
            assert _snapshots(connection, vorhaben_id)[2]["contacts"] == ["Carla Neu"]
            versions = sa.table(
                "vorhaben_versions",
                sa.column("vorhaben_id", sa.Integer),
                sa.column("version", sa.Integer),
                sa.column("editor_id", sa.Integer),
                sa.column("created_at", sa.DateTime(timezone=True)),
                sa.column("snapshot", sa.JSON),
            )
            old = _snapshots(connection, vorhaben_id)[2]
            # Saved while Carla carried her earlier name, and beside a person erased since.
            connection.execute(
                sa.insert(versions).values(
                    vorhaben_id=vorhaben_id,
                    version=3,
                    editor_id=None,
                    created_at=dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC),
                    snapshot={**old, "contacts": ["Carla Alt", "Ehemaliges Mitglied"]},
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            snapshots = _snapshots(connection, vorhaben_id)
            assert snapshots[2]["contacts"] == [{"id": carla_id, "name": "Carla Neu"}]
            assert snapshots[3]["contacts"] == [
                {"id": None, "name": None},
                {"id": None, "name": None},
            ]
        with Session(engine) as db:
            links = db.execute(
                sa.select(VorhabenVersion.version, VorhabenVersionContact.account_id).join(
                    VorhabenVersion, VorhabenVersion.id == VorhabenVersionContact.version_id
                )
            ).all()
            assert [tuple(row) for row in links] == [(2, carla_id)]
            erased = db.get(factories.Account, carla_id)
            assert erased is not None
            privacy.erase(db, settings, erased, actor=erased)
            db.commit()
        with engine.connect() as connection:
            assert "Carla" not in str(_snapshots(connection, vorhaben_id))
    finally:
        engine.dispose()
