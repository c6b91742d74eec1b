"""Finding a migration by its file name: its revision number may change when branches
meet, its name does not."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app import migrate


def before(url: str, name: str) -> str:
    """The revision just before the migration whose file name ends with `_{name}.py`."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    [found] = [
        revision
        for revision in script.walk_revisions()
        if revision.path and revision.path.endswith(f"_{name}.py")
    ]
    assert isinstance(found.down_revision, str)
    return found.down_revision


def before_export_hardening(url: str) -> str:
    """The revision just before the export-hardening migration."""
    return before(url, "export_hardening")


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate down as app.migrate.upgrade migrates up: on SQLite with foreign keys off, so
    a batch migration that recreates a table does not cascade into its children."""
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = engine.dialect.name == "sqlite"
        if sqlite and driver is not None:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.downgrade(config, revision)
        finally:
            if sqlite and driver is not None:
                driver.execute("PRAGMA foreign_keys=ON")
