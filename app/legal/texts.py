"""Imprint and privacy notice: the operator's Markdown files, else a default."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from app.config import Settings
from app.core import markdown

DEFAULTS = Path(__file__).parent / "defaults"


def _load(configured: str | None, default_name: str) -> str:
    path = Path(configured) if configured else DEFAULTS / default_name
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return (DEFAULTS / default_name).read_text(encoding="utf-8")


def impressum_html(settings: Settings) -> Markup:
    """The imprint as safe HTML."""
    return markdown.render_markup(_load(settings.impressum_file, "impressum.md"))


def datenschutz_html(settings: Settings) -> Markup:
    """The privacy notice as safe HTML."""
    return markdown.render_markup(_load(settings.datenschutz_file, "datenschutz.md"))
