"""One image per publication, stored safely: checked by its content, re-encoded without
metadata, limited in size, with a required alternative text, shown to the owners and the
moderators before it is public and served at its public URL only while a public version
shows it."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image, PngImagePlugin
from sqlalchemy.orm import Session

from app.config import Settings
from app.core.errors import ValidationFailed
from app.export import images, review, service, withdrawal
from app.export.images import MAX_SIDE
from tests import factories
from tests.export.contract import check_item
from tests.publishing import Scene, publish


def _jpeg_with_gps(width: int = 2400, height: int = 1200) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x013B] = "Olga Owner"  # Artist
    exif[0x8825] = {2: (52.0, 31.0, 12.0), 1: "N"}  # GPS: where the photo was taken
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Olga Owner")
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (200, 0, 0, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _upload(
    client: TestClient, scene: Scene, data: bytes, alt: str = "Ein Rathaus", *, name: str = "a.jpg"
) -> int:
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    return client.post(
        f"{url}/bild",
        data={"csrf_token": token, "image_alt": alt, "action": "upload"},
        files={"image": (name, data, "image/png")},
    ).status_code


def test_an_image_is_reencoded_without_metadata_and_public_only_when_released(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert _upload(client, scene, _jpeg_with_gps()) == 303
    db.refresh(publication)
    assert publication.image_sha256 and publication.image_alt == "Ein Rathaus"

    draft = client.get(f"/veroeffentlichungen/{publication.id}/entwurfsbild")
    assert draft.status_code == 200 and draft.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(draft.content))
    assert stored.format == "JPEG" and max(stored.size) == MAX_SIDE
    assert dict(stored.getexif()) == {}
    assert b"SecretCam" not in draft.content and b"Olga Owner" not in draft.content
    page = client.get(f"/vorhaben/{scene.vorhaben.id}/publication").text
    assert f'src="/veroeffentlichungen/{publication.id}/entwurfsbild"' in page

    # Not public before the next release: the live item has no image, its URL is 404.
    item = client.get(f"/api/v1/projects/{publication.id}").json()
    assert item["image"] is None
    public_url = f"/p/{publication.id}/bild/{publication.image_sha256}"
    assert client.get(public_url).status_code == 404

    # A moderator reviewing the submission sees it; another member does not.
    form = service.form_for(db, scene.vorhaben, publication, scene.owner)
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    factories.login(client, db, factories.account(db, "Otto Anderswo"))
    assert client.get(f"/veroeffentlichungen/{publication.id}/entwurfsbild").status_code == 404
    factories.login(client, db, scene.moderator)
    review_page = client.get(f"/moderation/publications/{publication.id}").text
    assert (
        f'src="/veroeffentlichungen/{publication.id}/entwurfsbild" alt="Ein Rathaus"' in review_page
    )
    assert client.get(f"/veroeffentlichungen/{publication.id}/entwurfsbild").status_code == 200
    review.decide(db, settings, scene.moderator, publication.id, "release", "")

    item = client.get(f"/api/v1/projects/{publication.id}").json()
    check_item(item, "http://testserver")
    assert item["image"] == {
        "url": f"http://testserver{public_url}",
        "alt": "Ein Rathaus",
        "width": MAX_SIDE,
        "height": MAX_SIDE // 2,
        "media_type": "image/jpeg",
    }
    served = client.get(public_url)
    assert served.status_code == 200 and served.content == draft.content
    assert served.headers["x-content-type-options"] == "nosniff"
    assert 'alt="Ein Rathaus"' in client.get(f"/p/{publication.id}").text
    assert client.get(f"/p/{publication.id}/bild/{'0' * 64}").status_code == 404

    withdrawal.withdraw_by_owner(db, settings, scene.owner, scene.vorhaben.id)
    assert client.get(public_url).status_code == 404


def test_png_keeps_transparency_and_loses_its_text(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert _upload(client, scene, _png_with_text(), name="bild.jpg") == 303
    body = client.get(f"/veroeffentlichungen/{publication.id}/entwurfsbild")
    assert body.headers["content-type"] == "image/png"  # by content, not by name
    image = Image.open(io.BytesIO(body.content))
    assert image.mode == "RGBA" and image.size == (40, 30)
    assert "Author" not in image.info and b"Olga Owner" not in body.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "kein Bild"),
        (_jpeg_with_gps(40, 40)[:200], "kein Bild"),  # cut off
        (b"GIF89a" + b"\x00" * 10, "kein Bild"),
        (b"x" * 1_600_000, "zu groß"),
        (b"", "Bitte wählen Sie eine Bilddatei aus."),
    ],
)
def test_what_is_not_a_usable_image_is_refused_clearly(
    client: TestClient, db: Session, settings: Settings, scene: Scene, data: bytes, message: str
) -> None:
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    response = client.post(
        f"{url}/bild",
        data={"csrf_token": token, "image_alt": "Mein <Alt>", "action": "upload"},
        files={"image": ("a.png", data, "image/png")},
    )
    assert response.status_code == 422
    assert 'href="#field-image"' in response.text and message in response.text
    assert 'value="Mein &lt;Alt&gt;"' in response.text  # what was typed stays
    db.refresh(publication)
    assert publication.image_sha256 is None


def test_an_image_needs_its_alternative_text_and_can_be_removed(
    client: TestClient, db: Session, settings: Settings, scene: Scene
) -> None:
    publication = publish(db, settings, scene)
    factories.login(client, db, scene.owner)
    assert _upload(client, scene, _png_with_text(), alt="  ") == 422
    assert _upload(client, scene, _png_with_text()) == 303
    url = f"/vorhaben/{scene.vorhaben.id}/publication"
    token = factories.csrf_token(client, url)
    removed = client.post(f"{url}/bild", data={"csrf_token": token, "action": "remove"})
    assert removed.status_code == 303
    db.refresh(publication)
    assert publication.image_sha256 is None
    assert client.get(f"/veroeffentlichungen/{publication.id}/entwurfsbild").status_code == 404


def test_a_bomb_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 million pixels, a few KB
    with pytest.raises(ValidationFailed) as refused:
        images.prepare(out.getvalue())
    assert "Bildpunkte" in refused.value.errors["image"]
