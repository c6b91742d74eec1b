"""Uploading, listing, downloading and deleting attachments through the pages, as a
browser does it (multipart forms with the CSRF token)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attachments.models import Attachment
from app.config import Settings
from app.web.headers import SANDBOX_POLICY
from tests import factories
from tests.attachments import samples

LIMIT = 300_000


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "attachment_dir": str(tmp_path / "anhaenge"),
        "attachment_max_file_bytes": LIMIT,
        "attachment_max_vorhaben_bytes": 2 * LIMIT,
    }


def _owner_and_vorhaben(
    client: TestClient, db: Session, visibility: str = "members"
) -> tuple[factories.Account, int]:
    owner = factories.account(db, "Olga Owner")
    vorhaben = factories.vorhaben(db, owner, "Digitale Akte", visibility=visibility)
    factories.login(client, db, owner)
    return owner, vorhaben.id


def upload(
    client: TestClient, vorhaben_id: int, name: str, data: bytes, *, token: str | None = None
) -> Response:
    token = token if token is not None else factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    return client.post(
        f"/vorhaben/{vorhaben_id}/anhaenge",
        data={"csrf_token": token},
        files={"datei": (name, data, "application/octet-stream")},
    )


def raw_upload(client: TestClient, vorhaben_id: int, filename: bytes, data: bytes) -> int:
    """A multipart form written byte by byte, the file name exactly as given."""
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    boundary = b"----allmende-test-boundary"
    body = b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n',
            token.encode() + b"\r\n",
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="datei"; filename="' + filename + b'"\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n",
            data + b"\r\n",
            b"--" + boundary + b"--\r\n",
        ]
    )
    response = client.post(
        f"/vorhaben/{vorhaben_id}/anhaenge",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"},
    )
    return response.status_code


def _only(db: Session, vorhaben_id: int) -> Attachment:
    return db.scalars(select(Attachment).where(Attachment.vorhaben_id == vorhaben_id)).one()


@pytest.mark.parametrize("kind", sorted(samples.EVERY_KIND))
def test_every_kind_is_uploaded_listed_and_downloaded_unchanged(
    client: TestClient, db: Session, kind: str
) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    name, data, media_type = samples.EVERY_KIND[kind]
    response = upload(client, vorhaben_id, name, data)
    assert response.status_code == 303, response.text
    attachment = _only(db, vorhaben_id)
    assert attachment.kind == kind
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert f'href="/anhaenge/{attachment.id}"' in page and name in page
    download = client.get(f"/anhaenge/{attachment.id}")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"].split(";")[0] == media_type


def test_downloads_are_attachments_with_nosniff_and_a_sandbox(
    client: TestClient, db: Session
) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    upload(client, vorhaben_id, "Übersicht März.pdf", samples.PDF)
    download = client.get(f"/anhaenge/{_only(db, vorhaben_id).id}")
    assert download.headers["content-disposition"] == (
        'attachment; filename="_bersicht M_rz.pdf"; '
        "filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf"
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == SANDBOX_POLICY
    assert "sandbox" in SANDBOX_POLICY and SANDBOX_POLICY.startswith("default-src 'none'")
    assert "no-store" in download.headers["cache-control"]
    # Pages keep their own policy.
    page = client.get(f"/vorhaben/{vorhaben_id}")
    assert "sandbox" not in page.headers["content-security-policy"]


def test_an_image_gets_a_small_re_encoded_preview_without_metadata(
    client: TestClient, db: Session
) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    photo = samples.image("JPEG", (2000, 1500), exif=True)
    upload(client, vorhaben_id, "Foto.jpg", photo)
    attachment = _only(db, vorhaben_id)
    page = client.get(f"/vorhaben/{vorhaben_id}").text
    assert f'src="/anhaenge/{attachment.id}/vorschau"' in page
    preview = client.get(f"/anhaenge/{attachment.id}/vorschau")
    assert preview.status_code == 200
    assert preview.headers["content-disposition"] == "inline"
    assert preview.headers["content-security-policy"] == SANDBOX_POLICY
    assert b"Erika Mustermann" in photo and b"Erika Mustermann" not in preview.content
    with Image.open(io.BytesIO(preview.content)) as shown:
        assert max(shown.size) <= 480 and not shown.getexif()
    # Only images have one.
    upload(client, vorhaben_id, "Konzept.pdf", samples.PDF)
    pdf = db.scalars(select(Attachment).where(Attachment.kind == "pdf")).one()
    assert client.get(f"/anhaenge/{pdf.id}/vorschau").status_code == 404


def test_an_oversized_file_is_refused_while_it_streams_in(client: TestClient, db: Session) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    # Past the limit and the room for the rest of the form: the guard stops reading (413).
    huge = samples.CSV * (3 * 1024 * 1024 // len(samples.CSV))
    response = upload(client, vorhaben_id, "gross.csv", huge)
    assert response.status_code == 413
    assert "Die Datei ist zu groß: höchstens 0,3 MB je Datei." in response.text
    # Just over the file limit: the page says so at the field.
    over = samples.CSV * (LIMIT // len(samples.CSV) + 1)
    response = upload(client, vorhaben_id, "etwas-zu-gross.csv", over)
    assert response.status_code == 422
    assert "Die Datei ist zu groß: höchstens 0,3 MB." in response.text
    assert db.scalars(select(Attachment)).all() == []


def test_the_total_per_vorhaben_is_kept(client: TestClient, db: Session) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    part = samples.CSV * (LIMIT // len(samples.CSV) - 1)
    for number in (1, 2):
        assert upload(client, vorhaben_id, f"teil{number}.csv", part).status_code == 303
    response = upload(client, vorhaben_id, "teil3.csv", part)
    assert response.status_code == 422
    assert "kein Platz mehr" in response.text
    assert len(db.scalars(select(Attachment)).all()) == 2


def test_a_pdf_named_png_is_kept_as_the_pdf_it_is(client: TestClient, db: Session) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    assert upload(client, vorhaben_id, "bild.png", samples.PDF).status_code == 303
    attachment = _only(db, vorhaben_id)
    assert (attachment.kind, attachment.display_name, attachment.preview_key) == (
        "pdf",
        "bild.pdf",
        None,
    )
    download = client.get(f"/anhaenge/{attachment.id}")
    assert download.headers["content-type"] == "application/pdf"
    assert 'filename="bild.pdf"' in download.headers["content-disposition"]


def test_a_png_named_pdf_is_kept_as_the_png_it_is(client: TestClient, db: Session) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    assert upload(client, vorhaben_id, "bericht.pdf", samples.image("PNG")).status_code == 303
    attachment = _only(db, vorhaben_id)
    assert (attachment.kind, attachment.display_name) == ("png", "bericht.png")
    assert client.get(f"/anhaenge/{attachment.id}").headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", samples.SVG_WITH_SCRIPT, "SVG-, HTML- und XML-Dateien"),
        ("logo.png", samples.SVG_WITH_SCRIPT, "SVG-, HTML- und XML-Dateien"),
        ("vertrag.docx", samples.zip_bomb_docx(), "verdächtig großen Datenmenge"),
        ("leer.pdf", b"", "Die Datei ist leer."),
    ],
    ids=["svg", "svg-named-png", "zip-bomb-docx", "empty"],
)
def test_hostile_files_are_refused_with_a_reason(
    client: TestClient, db: Session, name: str, data: bytes, message: str
) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    response = upload(client, vorhaben_id, name, data)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.scalars(select(Attachment)).all() == []


def test_a_path_in_the_name_never_reaches_the_disk(
    client: TestClient, db: Session, settings: Settings
) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    assert upload(client, vorhaben_id, "../../etc/passwd.pdf", samples.PDF).status_code == 303
    # A NUL and non-ASCII letters sent raw in the part's header (httpx would escape the NUL).
    assert raw_upload(client, vorhaben_id, "Bericht\x00 Ä.pdf".encode(), samples.PDF) == 303
    shown = sorted(a.display_name for a in db.scalars(select(Attachment)))
    assert shown == ["Bericht Ä.pdf", "passwd.pdf"]
    root = Path(settings.attachment_dir)
    stored = [path for path in root.rglob("*") if path.is_file()]
    assert len(stored) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", path.name) for path in stored)
    assert all(path.resolve().is_relative_to(root.resolve()) for path in stored)


def test_only_those_who_may_edit_the_vorhaben_attach_to_it(client: TestClient, db: Session) -> None:
    owner = factories.account(db)
    vorhaben = factories.vorhaben(db, owner, "Fremdes Vorhaben")
    colleague = factories.account(
        db, municipality=db.get(factories.Municipality, owner.municipality_id)
    )
    stranger = factories.account(db)
    factories.login(client, db, stranger)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert f'action="/vorhaben/{vorhaben.id}/anhaenge"' not in page
    assert upload(client, vorhaben.id, "x.pdf", samples.PDF).status_code == 403
    factories.login(client, db, colleague)
    page = client.get(f"/vorhaben/{vorhaben.id}").text
    assert f'action="/vorhaben/{vorhaben.id}/anhaenge"' in page
    assert upload(client, vorhaben.id, "x.pdf", samples.PDF).status_code == 303


def test_csrf_is_required_to_upload_and_to_delete(client: TestClient, db: Session) -> None:
    _owner, vorhaben_id = _owner_and_vorhaben(client, db)
    assert upload(client, vorhaben_id, "x.pdf", samples.PDF, token="").status_code == 403
    assert upload(client, vorhaben_id, "x.pdf", samples.PDF, token="falsch").status_code == 403
    token = factories.csrf_token(client, f"/vorhaben/{vorhaben_id}")
    cross_site = client.post(
        f"/vorhaben/{vorhaben_id}/anhaenge",
        data={"csrf_token": token},
        files={"datei": ("x.pdf", samples.PDF, "application/pdf")},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    assert db.scalars(select(Attachment)).all() == []
    upload(client, vorhaben_id, "x.pdf", samples.PDF)
    attachment = _only(db, vorhaben_id)
    assert client.post(f"/anhaenge/{attachment.id}/loeschen", data={}).status_code == 403
    assert db.get(Attachment, attachment.id) is not None
