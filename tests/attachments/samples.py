"""Files of every accepted kind, and hostile ones, built in memory for the upload tests."""

from __future__ import annotations

import io
import struct
import zipfile

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
CSV = b"Kommune;Einwohner;Stand\nMusterstadt;12345;2026\nBeispieldorf;678;2026\n"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

_ODF = "application/vnd.oasis.opendocument.{}"
_OOXML = "application/vnd.openxmlformats-officedocument.{}.main+xml"


def image(fmt: str, size: tuple[int, int] = (64, 48), *, exif: bool = False) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (200, 30, 30))
    if exif:
        tags = Image.Exif()
        tags[0x013B] = "Erika Mustermann"  # Artist
        tags[0x010E] = "Geheime Notiz"  # ImageDescription
        picture.save(out, fmt, exif=tags.tobytes())
    else:
        picture.save(out, fmt)
    return out.getvalue()


def odf(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODF.format(kind))  # stored, first
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


def ooxml(part: str, main: str) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/{main}" ContentType="{_OOXML.format(part)}"/>'
        "</Types>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(main, "<document/>")
    return out.getvalue()


# kind -> (file name, content, media type served)
EVERY_KIND: dict[str, tuple[str, bytes, str]] = {
    "pdf": ("Konzept.pdf", PDF, "application/pdf"),
    "png": ("Plan.png", image("PNG"), "image/png"),
    "jpeg": ("Foto.jpg", image("JPEG"), "image/jpeg"),
    "webp": ("Bild.webp", image("WEBP"), "image/webp"),
    "gif": ("Animation.gif", image("GIF"), "image/gif"),
    "odt": ("Text.odt", odf("text"), "application/vnd.oasis.opendocument.text"),
    "ods": ("Tabelle.ods", odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": (
        "Folien.odp",
        odf("presentation"),
        "application/vnd.oasis.opendocument.presentation",
    ),
    "docx": (
        "Ausschreibung.docx",
        ooxml("wordprocessingml.document", "word/document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Haushalt.xlsx",
        ooxml("spreadsheetml.sheet", "xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "Vortrag.pptx",
        ooxml("presentationml.presentation", "ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "csv": ("Einwohner.csv", CSV, "text/csv"),
}


def zip_bomb_docx(unpacked: int = 50_000_000) -> bytes:
    """A .docx whose one real part unpacks to `unpacked` bytes of zeros (ratio ~1000)."""
    types = ooxml("wordprocessingml.document", "word/document.xml")
    out = io.BytesIO(types)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def lying_zip_docx(declared: int = 4_000_000_000) -> bytes:
    """A small .docx whose central directory declares a member of `declared` bytes: what a
    bomb looks like from its table of contents, without building one."""
    data = bytearray(ooxml("wordprocessingml.document", "word/document.xml"))
    entry = data.rfind(b"PK\x01\x02")  # the last central directory entry
    struct.pack_into("<I", data, entry + 24, declared)  # its uncompressed size
    return bytes(data)
