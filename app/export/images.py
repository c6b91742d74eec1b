"""One image per publication, stored safely: its type is read from its content (never from
a name or a header), Pillow decodes it fully, and it is re-encoded (JPEG or PNG, at most
1600 pixels wide or high) so nothing of the upload survives but the pixels: no EXIF (GPS,
camera, names), no text chunks, no trailing data. Served at a public URL only while a
version that shows it is public (app.export.public_routes)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.errors import ValidationFailed
from app.core.text import clean_line, forbidden_character, too_long
from app.export import feed
from app.export.models import Publication, PublicationImage
from app.i18n import format_number
from app.i18n import gettext as _

MAX_BYTES = 1_500_000  # below ALLMENDE_MAX_BODY_BYTES (2 MB) with the rest of the form
MAX_PIXELS = 40_000_000  # what we agree to decode at all (Pillow warns at 89 million)
MAX_SIDE = 1600  # what we keep
ALT_MAX = 300
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/jpeg", "GIF": "image/png"}


@dataclass(frozen=True)
class Prepared:
    data: bytes
    media_type: str
    width: int
    height: int
    sha256: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"image": message})


def prepare(upload: bytes) -> Prepared:
    """Check an upload by its content and re-encode it; ValidationFailed says why not."""
    if not upload:
        raise _refuse(_("Bitte wählen Sie eine Bilddatei aus."))
    if len(upload) > MAX_BYTES:
        raise _refuse(
            _(
                "Das Bild ist zu groß: höchstens %(limit)s MB.",
                limit=format_number(MAX_BYTES / 1_000_000),
            )
        )
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415 - Pillow on first use (a worker that decodes no image keeps 5 MB)

    not_an_image = _refuse(_("Das ist kein Bild im Format JPEG, PNG, WebP oder GIF."))
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, not by a warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in ACCEPTED:
                    raise not_an_image
                if width * height > MAX_PIXELS:
                    raise _refuse(_("Das Bild hat zu viele Bildpunkte."))
                probe.verify()  # structure and checksums; the image is unusable after
            with Image.open(io.BytesIO(upload)) as source:
                source.load()
                image = ImageOps.exif_transpose(source)
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_an_image from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    media_type = ACCEPTED[kind]
    out = io.BytesIO()
    # Saved without `exif`, `icc_profile` or `pnginfo`: only the pixels are written.
    if media_type == "image/png":
        transparent = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
        image.save(out, format="PNG", optimize=True)
    else:
        image = image.convert("RGB")
        image.save(out, format="JPEG", quality=85, optimize=True)
    data = out.getvalue()
    return Prepared(data, media_type, image.width, image.height, hashlib.sha256(data).hexdigest())


def alt_text(value: str) -> str:
    """The alternative text: required, one line."""
    text = clean_line(value)
    if reason := forbidden_character(value):
        raise ValidationFailed({"image_alt": reason})
    if not text:
        raise ValidationFailed(
            {"image_alt": _("Bitte beschreiben Sie, was auf dem Bild zu sehen ist.")}
        )
    if len(text) > ALT_MAX:
        raise ValidationFailed({"image_alt": too_long(ALT_MAX)})
    return text


def attach(
    db: Session, publication: Publication, upload: bytes, alt: str, *, actor_id: int
) -> PublicationImage:
    """Make a new image the draft's (the live version keeps showing its own until the next
    release); images no version still needs are deleted."""
    text = alt_text(alt)
    prepared = prepare(upload)
    image = db.scalars(
        select(PublicationImage).where(
            PublicationImage.publication_id == publication.id,
            PublicationImage.sha256 == prepared.sha256,
        )
    ).one_or_none()
    if image is None:
        image = PublicationImage(
            publication_id=publication.id,
            sha256=prepared.sha256,
            media_type=prepared.media_type,
            width=prepared.width,
            height=prepared.height,
            data=prepared.data,
        )
        db.add(image)
    publication.image_sha256, publication.image_alt = prepared.sha256, text
    db.flush()
    prune(db, publication)
    audit.record(
        db,
        "publication_image_uploaded",
        actor_id=actor_id,
        object_type="publication",
        object_id=publication.id,
        sha256=prepared.sha256,
        bytes=len(prepared.data),
    )
    return image


def set_alt(db: Session, publication: Publication, alt: str) -> None:
    """Change only the alternative text of the draft's image."""
    if publication.image_sha256 is None:
        raise _refuse(_("Bitte wählen Sie eine Bilddatei aus."))
    publication.image_alt = alt_text(alt)
    db.flush()


def detach(db: Session, publication: Publication, *, actor_id: int) -> None:
    """The draft goes without an image (the live version keeps its own until released)."""
    publication.image_sha256, publication.image_alt = None, None
    db.flush()
    prune(db, publication)
    audit.record(
        db,
        "publication_image_removed",
        actor_id=actor_id,
        object_type="publication",
        object_id=publication.id,
    )


def live_sha256(item: dict[str, object] | None) -> str | None:
    """The image a stored item shows, by the last part of its URL."""
    image = (item or {}).get("image")
    if not isinstance(image, dict):
        return None
    return str(image.get("url", "")).rsplit("/", 1)[-1] or None


def prune(db: Session, publication: Publication) -> None:
    """Delete images neither the draft nor the live version shows."""
    entry = feed.get(db, publication.id)
    keep = {publication.image_sha256, live_sha256(entry.item if entry else None)} - {None}
    db.execute(
        delete(PublicationImage).where(
            PublicationImage.publication_id == publication.id,
            PublicationImage.sha256.not_in(keep) if keep else PublicationImage.id.is_not(None),
        )
    )


def draft_image(db: Session, publication: Publication) -> PublicationImage | None:
    """The image of the draft, if any."""
    if publication.image_sha256 is None:
        return None
    return get(db, publication.id, publication.image_sha256)


def get(db: Session, publication_id: str, sha256: str) -> PublicationImage | None:
    """One stored image of a publication."""
    return db.scalars(
        select(PublicationImage).where(
            PublicationImage.publication_id == publication_id,
            PublicationImage.sha256 == sha256[:64],
        )
    ).one_or_none()
