"""A safe preview of an image attachment: decoded by Pillow and re-encoded as a small PNG
or JPEG, so nothing of the upload survives but (fewer) pixels: no metadata (EXIF, GPS,
text chunks), no trailing data, no animation. Only the preview is ever shown inline."""

from __future__ import annotations

import io
import warnings
from typing import BinaryIO

SIDE = 480


def render(source: BinaryIO) -> tuple[bytes, str]:
    """The preview's bytes and media type (JPEG for photos, PNG for the rest)."""
    from PIL import Image, ImageOps  # noqa: PLC0415 - Pillow on first use (a worker that decodes no image keeps 5 MB)

    source.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(source) as original:
            photo = original.format == "JPEG"
            original.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(original.copy())
    source.seek(0)
    image.thumbnail((SIDE, SIDE))
    out = io.BytesIO()
    if photo:
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        image = image.convert("RGBA")
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"
