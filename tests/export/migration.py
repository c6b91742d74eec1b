"""Finding the export-hardening migration by its file name: its revision number may
change when branches meet, its name does not."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from app import migrate


def before_export_hardening(url: str) -> str:
    """The revision just before the export-hardening migration."""
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    [found] = [
        revision
        for revision in script.walk_revisions()
        if revision.path and revision.path.endswith("_export_hardening.py")
    ]
    assert isinstance(found.down_revision, str)
    return found.down_revision
