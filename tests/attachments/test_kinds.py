"""The kind of a file is read from its content: every accepted kind, and hostile files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from app.attachments import kinds, names
from app.attachments import service as attachments
from app.config import load_settings
from app.core.errors import ValidationFailed
from tests.attachments import samples


def _detect(data: bytes) -> str:
    return kinds.detect(io.BytesIO(data), len(data)).key


@pytest.mark.parametrize("kind", sorted(samples.EVERY_KIND))
def test_every_accepted_kind_is_recognised_by_its_content(kind: str) -> None:
    _name, data, _media_type = samples.EVERY_KIND[kind]
    assert _detect(data) == kind


@pytest.mark.parametrize(
    "data",
    [samples.SVG_WITH_SCRIPT, samples.HTML, b"  <svg onload='alert(1)'/>"],
    ids=["svg", "html", "svg-after-spaces"],
)
def test_markup_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _detect(data)
    assert "SVG" in refused.value.errors["datei"]


@pytest.mark.parametrize(
    "data",
    [b"Nur ein Satz ohne Spalten.\n", b"MZ\x90\x00\x03\x00\x00\x00", b"a;b\x00;c\n", b"\x01\x02"],
    ids=["prose", "exe", "nul", "binary"],
)
def test_other_files_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _detect(data)
    assert "nicht angenommen" in refused.value.errors["datei"]


def test_a_zip_bomb_is_refused_by_its_table_of_contents_without_extracting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bombs = (samples.zip_bomb_docx(), samples.lying_zip_docx())
    read: list[str] = []
    original = zipfile.ZipFile.open

    def watched(
        self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object
    ) -> object:
        read.append(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", watched)
    for bomb in bombs:
        with pytest.raises(ValidationFailed) as refused:
            _detect(bomb)
        assert "verdächtig groß" in refused.value.errors["datei"]
    assert read == []  # not even the manifest was read


def test_macro_documents_and_unknown_archives_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "application/vnd.ms-word.document.macroEnabled")
        archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(ValidationFailed) as refused:
        _detect(out.getvalue())
    assert "Makros" in refused.value.errors["datei"]
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    with pytest.raises(ValidationFailed):
        _detect(plain.getvalue())


def test_a_broken_image_is_refused() -> None:
    png = samples.image("PNG")
    with pytest.raises(ValidationFailed) as refused:
        _detect(png[:60])
    assert "beschädigt" in refused.value.errors["datei"]


def test_csv_in_windows_1252_and_with_tabs_is_csv() -> None:
    assert _detect("Straße;Ort\nHauptstraße;Köln\n".encode("cp1252")) == "csv"
    assert _detect(b"a\tb\n1\t2\n") == "csv"


@pytest.mark.parametrize(
    ("given", "kind", "shown"),
    [
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.docx", "docx", "system.ini.docx"),
        ("Bericht\x00.pdf", "pdf", "Bericht.pdf"),
        ("rechnung\u202egpj.pdf", "pdf", "rechnunggpj.pdf"),
        (".htaccess", "csv", "htaccess.csv"),
        ("Übersicht März.pdf", "pdf", "Übersicht März.pdf"),
        ("bild.pdf", "png", "bild.png"),
        ("scan.png", "pdf", "scan.pdf"),
        ("Foto.JPEG", "jpeg", "Foto.JPEG"),
        ("", "pdf", "Anhang.pdf"),
    ],
)
def test_names_are_cleaned_and_end_in_the_kind_of_the_content(
    given: str, kind: str, shown: str
) -> None:
    assert names.for_kind(given, kinds.KINDS[kind]) == shown


def test_content_disposition_follows_rfc_6266() -> None:
    header = names.content_disposition("attachment", 'Übersicht "März"; 2026.pdf')
    assert header == (
        'attachment; filename="_bersicht _M_rz__ 2026.pdf"; '
        "filename*=UTF-8''%C3%9Cbersicht%20%22M%C3%A4rz%22%3B%202026.pdf"
    )


def _outcome(data: bytes) -> str:
    """The kind, or "refused: <fields>"; anything else escapes and fails the test."""
    try:
        return _detect(data)
    except ValidationFailed as refused:
        return "refused: " + ", ".join(refused.errors)


_PREFIXES = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\0\0\0\0WEBP"]


@hypothesis_settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), rest=st.binary(max_size=2000))
def test_any_bytes_are_a_kind_or_a_refusal_never_a_crash(prefix: bytes, rest: bytes) -> None:
    assert _outcome(prefix + rest) in {*kinds.KINDS, "refused: datei"}


@hypothesis_settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=4, max_value=400), flip=st.integers(min_value=0, max_value=399))
def test_damaged_office_documents_and_images_are_refused_or_recognised(cut: int, flip: int) -> None:
    for _name, data, _media_type in samples.EVERY_KIND.values():
        damaged = bytearray(data[:cut] + data[cut + 1 :])
        damaged[flip % len(damaged)] ^= 0xFF
        assert _outcome(bytes(damaged)) in {*kinds.KINDS, "refused: datei"}


def test_an_image_that_verifies_but_does_not_decode_is_refused() -> None:
    png = bytearray(samples.image("PNG", (300, 300)))
    # Garble the compressed pixels but keep the chunk's checksum right: verify() checks the
    # structure and passes, only decoding the pixels fails.
    chunk = png.index(b"IDAT")
    length = struct.unpack(">I", png[chunk - 4 : chunk])[0]
    png[chunk + 4 : chunk + 24] = b"\xff" * 20
    struct.pack_into(">I", png, chunk + 4 + length, zlib.crc32(png[chunk : chunk + 4 + length]))
    with Image.open(io.BytesIO(bytes(png))) as probe:
        probe.verify()  # passes
    assert _detect(bytes(png)) == "png"  # so it is the preview that refuses it
    settings = load_settings(env="test")
    with pytest.raises(ValidationFailed) as refused:
        attachments.check(settings, "kaputt.png", io.BytesIO(bytes(png)))
    assert "beschädigt" in refused.value.errors["datei"]
