"""What a file is, read from its content (never from its name or the browser's header).

puremagic names the candidate by its magic numbers; each candidate is then checked by its
structure: images are decoded by Pillow, office documents are ZIP files whose table of
contents is read without extracting anything (a ZIP bomb is refused by the sizes it
declares), text is accepted as CSV only when it is plain text that splits into columns.
Anything else, SVG in particular (it can carry script), is refused.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import puremagic

from app.core.errors import ValidationFailed
from app.i18n import N_
from app.i18n import gettext as _

FIELD = "datei"  # the name of the file input in every upload form

# A ZIP's members may unpack to at most this much in total, and to at most this many
# times the size of the ZIP itself (office documents compress text about 5 to 20 times).
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 5000
MANIFEST_MAX = 1024 * 1024  # [Content_Types].xml or the ODF mimetype, read into memory
MAX_PIXELS = 40_000_000
CSV_SAMPLE = 64 * 1024


@dataclass(frozen=True)
class Kind:
    key: str
    media_type: str
    extension: str  # the one a download's name ends with
    label: str  # N_() marked, translated where shown
    image: bool = False


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("pdf", "application/pdf", "pdf", N_("PDF")),
        Kind("png", "image/png", "png", N_("Bild (PNG)"), image=True),
        Kind("jpeg", "image/jpeg", "jpg", N_("Bild (JPEG)"), image=True),
        Kind("webp", "image/webp", "webp", N_("Bild (WebP)"), image=True),
        Kind("gif", "image/gif", "gif", N_("Bild (GIF)"), image=True),
        Kind("odt", "application/vnd.oasis.opendocument.text", "odt", N_("Text (ODF)")),
        Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods", N_("Tabelle (ODF)")),
        Kind(
            "odp",
            "application/vnd.oasis.opendocument.presentation",
            "odp",
            N_("Präsentation (ODF)"),
        ),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            N_("Text (Word)"),
        ),
        Kind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            N_("Tabelle (Excel)"),
        ),
        Kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            N_("Präsentation (PowerPoint)"),
        ),
        Kind("csv", "text/csv", "csv", N_("Tabelle (CSV)")),
    )
}
# Every name ending a file of an accepted kind: replaced by the detected kind's own.
KNOWN_EXTENSIONS = frozenset({*(kind.extension for kind in KINDS.values()), "jpeg", "jpe"})

_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif"}
_MAGIC = {"application/pdf": "pdf", **{f"image/{key}": key for key in ("png", "jpeg", "webp")}}
_MAGIC["image/gif"] = "gif"
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed({FIELD: message})


def _not_accepted() -> ValidationFailed:
    return refuse(
        _(
            "Diese Datei wird nicht angenommen. Erlaubt sind PDF, Office-Dokumente (ODF und "
            "OOXML: Text, Tabelle, Präsentation), Bilder (PNG, JPEG, WebP, GIF) und CSV."
        )
    )


def detect(file: BinaryIO, size: int) -> Kind:
    """The kind of an uploaded file, checked by its content; ValidationFailed if refused."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    mime_types = {match.mime_type for match in matches if match.offset >= 0}
    if "image/svg+xml" in mime_types or head.lstrip()[:1] == b"<":
        raise refuse(_("SVG-, HTML- und XML-Dateien werden nicht angenommen."))
    if head.startswith(b"PK\x03\x04"):
        return KINDS[_office(file, size)]
    candidates = [_MAGIC[mime] for mime in mime_types if mime in _MAGIC]
    if head.startswith(b"%PDF-") and "pdf" in candidates:
        return KINDS["pdf"]
    if any(KINDS[key].image for key in candidates):
        return KINDS[_image(file)]
    if not matches:
        sample = file.read(CSV_SAMPLE)
        file.seek(0)
        if _is_csv(sample, complete=size <= len(sample)):
            return KINDS["csv"]
    raise _not_accepted()


def _image(file: BinaryIO) -> str:
    """PNG, JPEG, WebP or GIF that Pillow decodes fully, within a bound of pixels."""
    from PIL import Image  # noqa: PLC0415 - Pillow on first use (a worker that decodes no image keeps 5 MB)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as probe:
                key = _IMAGE_FORMATS.get(probe.format or "")
                width, height = probe.size
                if key is None:
                    raise _not_accepted()
                if width * height > MAX_PIXELS:
                    raise refuse(_("Das Bild hat zu viele Bildpunkte."))
                probe.verify()
    except ValidationFailed:
        raise
    except Exception:  # a decoder failing on hostile input is a refusal
        raise refuse(_("Das Bild ist beschädigt oder kein Bild.")) from None
    finally:
        file.seek(0)
    return key


def _office(file: BinaryIO, size: int) -> str:
    """An ODF or OOXML document: its table of contents, read without extracting."""
    broken = refuse(_("Das Office-Dokument ist beschädigt oder kein Office-Dokument."))
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise broken
            unpacked = sum(member.file_size for member in members)
            # The sizes a ZIP declares are what it unpacks to; a bomb declares gigabytes
            # (zipfile refuses to read past a member's declared size).
            if unpacked > ZIP_MAX_UNCOMPRESSED or unpacked > ZIP_MAX_RATIO * max(size, 1):
                raise refuse(_("Das Archiv entpackt sich zu einer verdächtig großen Datenmenge."))
            names = {member.filename: member for member in members}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise refuse(_("Dokumente mit Makros werden nicht angenommen."))
            if (mimetype := names.get("mimetype")) is not None:
                if mimetype.file_size > 200:
                    raise broken
                key = _ODF.get(archive.read(mimetype).strip())
                if key is None:
                    raise _not_accepted()
                return key
            if (manifest := names.get("[Content_Types].xml")) is not None:
                if manifest.file_size > MANIFEST_MAX:
                    raise broken
                text = archive.read(manifest).decode("utf-8", "replace")
                found = {key for media, key in _OOXML.items() if media in text}
                if "macroEnabled" in text:
                    raise refuse(_("Dokumente mit Makros werden nicht angenommen."))
                if len(found) != 1:
                    raise _not_accepted()
                return found.pop()
    except ValidationFailed:
        raise
    except Exception:  # broken, encrypted or oddly compressed: a refusal
        raise broken from None
    finally:
        file.seek(0)
    raise _not_accepted()


def _is_csv(sample: bytes, *, complete: bool) -> bool:
    """Plain text (UTF-8, or Windows-1252 as spreadsheets export it) without control
    characters, whose first lines split into columns by one delimiter."""
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if not complete and error.start >= len(sample) - 3:  # a character cut by the sample
            text = sample[: error.start].decode("utf-8-sig", "replace")
        else:
            text = sample.decode("cp1252", "replace")
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        return False
    lines = text.splitlines()[:50]
    if not complete:
        lines = lines[:-1]  # the last line may be cut by the end of the sample
    if not lines or not lines[0].strip():
        return False
    delimiter = max(";,\t", key=lines[0].count)
    if lines[0].count(delimiter) == 0:
        return False
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    except csv.Error:
        return False
    return all(len(row) > 1 for row in rows if row)
