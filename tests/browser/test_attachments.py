"""In Chromium, with and without JavaScript: a Vorhaben's editor attaches files on its page,
a member attaches a file to a comment, a file too large or of a refused type comes back as
an accessible error, downloads carry the safe headers, and another municipality's member
cannot fetch a file of a Vorhaben restricted to its municipality. axe on every state."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app.attachments.models import Attachment
from app.membership.personas import account_for as persona
from app.vorhaben.models import Visibility, Vorhaben
from tests.browser.conftest import LiveServer, assert_accessible, persona_page

LIMIT = 60_000
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def live_server_overrides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files: Path = tmp_path_factory.mktemp("anhaenge")
    return {"attachment_dir": str(files), "attachment_max_file_bytes": LIMIT}


def own_vorhaben(demo: LiveServer, key: str, *, restricted: bool = False) -> int:
    """A Vorhaben of the persona's municipality, restricted to it when asked."""
    with demo.session() as db:
        me = persona(db, key)
        assert me is not None
        vorhaben = db.scalars(
            select(Vorhaben)
            .where(Vorhaben.author_id == me.id, Vorhaben.hidden_at.is_(None))
            .order_by(Vorhaben.id)
        ).first()
        assert vorhaben is not None, f"the demo has no Vorhaben by {key}"
        if restricted:
            vorhaben.visibility = Visibility.MUNICIPALITY
        db.commit()
        return vorhaben.id


def attachment_id(demo: LiveServer, name: str) -> int:
    with demo.session() as db:
        found = db.scalars(
            select(Attachment.id)
            .where(Attachment.display_name == name)
            .order_by(Attachment.id.desc())
        ).first()
        assert found is not None, name
        return found


@pytest.fixture
def leipzig(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    with persona_page(browser, demo, "leipzig", js=False) as page:
        yield page


@pytest.fixture
def muenchen(browser: Browser, demo: LiveServer) -> Iterator[Page]:
    with persona_page(browser, demo, "muenchen") as page:
        yield page


def upload_on_page(page: Page, name: str, mime: str, body: bytes) -> None:
    section = page.locator("#anhaenge")
    section.get_by_label("Datei anhängen").set_input_files(
        {"name": name, "mimeType": mime, "buffer": body}
    )
    section.get_by_role("button", name="Hochladen").click()


def assert_loaded(image: Locator, seconds: float = 10.0) -> None:
    """The picture has loaded and decoded. Visible is not loaded: the element has its box
    before the browser has fetched the picture (CI saw the check run before the request). A
    poll under a deadline, since page.evaluate() has no timeout and a promise may not settle
    with JavaScript off."""
    deadline = time.monotonic() + seconds
    while not image.evaluate("img => img.complete && img.naturalWidth > 0"):
        if time.monotonic() > deadline:
            pytest.fail(f"the picture did not load within {seconds:.0f} s")
        time.sleep(0.02)


def test_vorhaben_files_without_javascript(leipzig: Page, muenchen: Page, demo: LiveServer) -> None:
    page = leipzig
    vorhaben_id = own_vorhaben(demo, "leipzig", restricted=True)
    page.goto(f"{demo.url}/vorhaben/{vorhaben_id}")
    assert_accessible(page, "Vorhaben page with the upload form")

    upload_on_page(page, "Konzept.pdf", "application/pdf", PDF)
    expect(page.locator("#anhaenge")).to_contain_text("Konzept.pdf")
    expect(page.locator(".notice[role=status]")).to_contain_text("Die Datei wurde angehängt.")

    # A PNG picture gets a preview; the preview is an image the browser can show.
    upload_on_page(page, "Lageplan.png", "image/png", png())
    preview = page.locator("#anhaenge img[alt='Vorschau: Lageplan.png']")
    expect(preview).to_be_visible()
    assert_loaded(preview)
    assert_accessible(page, "Vorhaben page with files")

    # Too large: the error names the limit, the field is marked, the page stays usable.
    upload_on_page(page, "Riesig.pdf", "application/pdf", PDF + b"%" * LIMIT)
    error = page.locator("#error-datei-vorhaben")
    expect(error).to_be_visible()
    expect(page.locator("#field-datei-vorhaben")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "upload refused as too large")

    # An SVG (script inside) is refused by its content, whatever its name says.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    upload_on_page(page, "Logo.png", "image/png", svg)
    expect(page.locator("#error-datei-vorhaben")).to_be_visible()
    expect(page.locator("#anhaenge")).not_to_contain_text("Logo.png")

    # The download: an attachment, never rendered by the browser, with a sandbox policy.
    file_id = attachment_id(demo, "Konzept.pdf")
    response = page.request.get(f"{demo.url}/anhaenge/{file_id}")
    assert response.status == 200
    assert response.body() == PDF
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]

    # The Vorhaben is for Leipzig only: Munich's member gets neither the file nor the page.
    assert muenchen.request.get(f"{demo.url}/anhaenge/{file_id}").status == 404
    assert muenchen.request.get(f"{demo.url}/vorhaben/{vorhaben_id}").status == 404


def test_a_comment_with_a_file_with_javascript(muenchen: Page, demo: LiveServer) -> None:
    page = muenchen
    with demo.session() as db:
        target = db.scalars(
            select(Vorhaben.id)
            .where(Vorhaben.visibility == Visibility.MEMBERS, Vorhaben.hidden_at.is_(None))
            .order_by(Vorhaben.id)
        ).first()
        assert target is not None
    page.goto(f"{demo.url}/vorhaben/{target}")
    form = page.locator("form", has=page.locator("#field-body"))
    form.locator("#field-body").fill("Unser Leistungsverzeichnis als Anhang.")
    form.locator("#field-datei").set_input_files(
        {"name": "Leistungsverzeichnis.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="Kommentieren").click()
    comment = page.locator("#comments li, #comments article", has_text="Leistungsverzeichnis")
    expect(comment.first).to_contain_text("Unser Leistungsverzeichnis als Anhang.")
    link = page.locator("#comments a", has_text="Leistungsverzeichnis.pdf").first
    expect(link).to_be_visible()
    assert_accessible(page, "a comment with a file")
    response = page.request.get(f"{demo.url}{link.get_attribute('href')}")
    assert response.status == 200 and response.body() == PDF
