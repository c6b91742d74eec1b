"""Files in a publication (issue 20): the owners choose which of the Vorhaben's own
attachments to publish, each with a licence; they go through the moderators' review, and
once released the item lists them and a public URL serves them as downloads with the safe
headers. Files not chosen and comment files never appear; withdrawing and deleting take
them off."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.attachments import service as attachments
from app.attachments.models import Attachment
from app.config import Settings
from app.export import feed, review, service, withdrawal
from app.export.models import Publication
from app.web.headers import SANDBOX_POLICY
from tests import factories
from tests.attachments import samples
from tests.export.contract import check_item
from tests.publishing import Scene, form_of, publish


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {"attachment_dir": str(tmp_path / "anhaenge")}


def _attach(
    db: Session, settings: Settings, scene: Scene, name: str, comment_id: int | None = None
) -> Attachment:
    checked = attachments.check(settings, name, io.BytesIO(samples.PDF))
    return attachments.store(
        db, settings, checked, scene.vorhaben, scene.owner, comment_id=comment_id
    )


def _choose(client: TestClient, scene: Scene, fields: dict[str, str]) -> int:
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    response = client.post(f"{url}/dateien", data={"csrf_token": token, **fields})
    return response.status_code


def _release(db: Session, settings: Settings, scene: Scene) -> Publication:
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert publication.state.value == "submitted"  # the same review as every change
    return review.decide(db, settings, scene.moderator, publication.id, "release", "")


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_chosen_files_are_reviewed_released_and_served_publicly_with_safe_headers(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen = _attach(db, settings, scene, "Konzept Bürgerportal.pdf")
    kept_back = _attach(db, settings, scene, "Interne Kalkulation.pdf")
    comment = factories.comment(db, scene.owner, scene.vorhaben, "Anbei")
    in_comment = _attach(db, settings, scene, "Kommentaranhang.pdf", comment.id)
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)

    page = client.get(f"/vorhaben/{scene.vorhaben.id}/publication").text
    assert "Konzept Bürgerportal.pdf" in page and "Interne Kalkulation.pdf" in page
    assert "Kommentaranhang.pdf" not in page  # comment files are never offered
    assert (
        _choose(client, scene, {f"file_{chosen.id}": "1", f"license_{chosen.id}": "CC-BY-4.0"})
        == 303
    )

    # Nothing public before the moderators release the changed draft.
    client.cookies.clear()
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    assert "files" not in item
    assert client.get(f"/p/{publication.id}/dateien/{chosen.id}/x.pdf").status_code == 404

    # The moderators review the choice with the rest of the draft.
    submitted = service.submit(db, settings, scene.owner, scene.vorhaben.id, form_of(db, scene))
    assert submitted.state.value == "submitted"
    factories.login(client, db, scene.moderator)
    review_page = client.get(f"/moderation/publications/{publication.id}").text
    assert "Konzept Bürgerportal.pdf" in review_page and "CC-BY-4.0" in review_page
    assert "Interne Kalkulation" not in review_page
    review.decide(db, settings, scene.moderator, publication.id, "release", "")
    client.cookies.clear()
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    check_item(item, "http://testserver")
    [listed] = item["files"]
    assert listed["name"] == "Konzept Bürgerportal.pdf"
    assert listed["media_type"] == "application/pdf" and listed["size"] == len(samples.PDF)
    assert listed["license_id"] == "CC-BY-4.0"
    assert f"/p/{publication.id}/dateien/{chosen.id}/" in listed["url"]

    download = client.get(_path(listed["url"]))  # anonymous: no session cookie
    assert download.status_code == 200 and download.content == samples.PDF
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == SANDBOX_POLICY
    assert download.headers["content-type"] == "application/pdf"

    # The others never leave: not in the feed, the Atom feed or the page, not at a URL.
    surfaces = [
        client.get("/api/v1/projects").text,
        client.get("/feeds/projects.atom").text,
        client.get(f"/p/{publication.id}").text,
    ]
    assert "Konzept Bürgerportal.pdf" in surfaces[2]
    for text in surfaces:
        assert "Interne Kalkulation" not in text and "Kommentaranhang" not in text
    for other in (kept_back, in_comment):
        assert client.get(f"/p/{publication.id}/dateien/{other.id}/x.pdf").status_code == 404

    # Withdrawn: the URL is gone (410, as the page), the feed carries a tombstone.
    withdrawal.withdraw(db, settings, scene.owner, publication)
    assert client.get(_path(listed["url"])).status_code == 410
    entry = feed.get(db, publication.id)
    assert entry is not None and entry.deleted and "files" not in entry.item


def test_a_deleted_file_leaves_the_live_version_at_once(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen = _attach(db, settings, scene, "Konzept.pdf")
    publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert (
        _choose(client, scene, {f"file_{chosen.id}": "1", f"license_{chosen.id}": "CC0-1.0"}) == 303
    )
    publication = _release(db, settings, scene)
    before = feed.get(db, publication.id)
    assert before is not None
    url = _path(before.item["files"][0]["url"])
    seq, version = before.seq, before.item["version"]
    assert client.get(url).status_code == 200

    token = factories.csrf_token(client, f"/vorhaben/{scene.vorhaben.id}")
    assert (
        client.post(f"/anhaenge/{chosen.id}/loeschen", data={"csrf_token": token}).status_code
        == 303
    )
    db.expire_all()
    after = feed.get(db, publication.id)
    assert after is not None and not after.deleted
    assert after.item["files"] == [] and after.seq > seq and after.item["version"] == version + 1
    check_item(after.item, "http://testserver")
    client.cookies.clear()
    assert client.get(url).status_code == 404


def test_a_hidden_vorhaben_takes_its_files_off(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    chosen = _attach(db, settings, scene, "Konzept.pdf")
    publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert _choose(client, scene, {f"file_{chosen.id}": "1", f"license_{chosen.id}": "MIT"}) == 303
    publication = _release(db, settings, scene)
    url = f"/p/{publication.id}/dateien/{chosen.id}/Konzept.pdf"
    client.cookies.clear()
    assert client.get(url).status_code == 200
    withdrawal.vorhaben_going_away(db, settings, scene.vorhaben.id, scene.moderator, "Hinweis")
    assert client.get(url).status_code == 410


def test_only_own_files_with_a_listed_licence_can_be_chosen(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    own = _attach(db, settings, scene, "Konzept.pdf")
    comment = factories.comment(db, scene.owner, scene.vorhaben, "Anbei")
    in_comment = _attach(db, settings, scene, "Kommentar.pdf", comment.id)
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert _choose(client, scene, {f"file_{own.id}": "1", f"license_{own.id}": "<script>"}) == 422
    assert _choose(client, scene, {f"file_{in_comment.id}": "1"}) == 422
    assert _choose(client, scene, {"file_99999999": "1", "license_99999999": "MIT"}) == 422
    assert service.preview(db, settings, publication).get("files") is None

    # Another member (not of the owning municipality) cannot choose.
    other = factories.account(db, "Otto Fremd")
    factories.login(client, db, other)
    assert _choose(client, scene, {f"file_{own.id}": "1", f"license_{own.id}": "MIT"}) == 403
