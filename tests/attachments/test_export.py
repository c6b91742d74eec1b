"""Attachments never leave the trust space: a published Vorhaben with files (its own and
its comments') shows none of them in the feed, the Atom feed or the public page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.config import Settings
from tests import factories
from tests.attachments import samples
from tests.publishing import Scene, publish


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"attachment_dir": str(tmp_path / "anhaenge")}


def test_nothing_of_an_attachment_reaches_the_export(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    comment = factories.comment(db, scene.owner, scene.vorhaben, "Anbei")
    for name, comment_id in (("Geheimplan.pdf", None), ("Kommentarplan.pdf", comment.id)):
        checked = attachments.check(settings, name, io.BytesIO(samples.PDF))
        attachments.store(db, settings, checked, scene.vorhaben, scene.owner, comment_id=comment_id)
    publication = publish(db, settings, scene)
    surfaces = [
        client.get("/api/v1/projects").text,
        client.get(f"/api/v1/projects/{publication.id}").text,
        client.get("/feeds/projects.atom").text,
        client.get(f"/p/{publication.id}").text,
    ]
    assert "Digitaler Bauantrag" in surfaces[0]  # the project is out there
    for text in surfaces:
        assert "plan.pdf" not in text.lower() and "/anhaenge/" not in text
